import HotswapCore
import HotswapJSON
import OnnxInference

extension InferenceRESTCodec {
  /// A response body and the length of its JSON part when binary outputs follow it.
  public struct EncodedResponse: Sendable {
    /// The body.
    public var body: [UInt8]
    /// The `Inference-Header-Content-Length` value; nil for a pure-JSON response.
    public var headerLength: Int?
  }

  /// Encodes an inference result for `model` at `version`.
  public static func encode(_ result: InferResult, model: String, version: String) -> EncodedResponse {
    var writer = JSONWriter(capacity: 256)
    var buffers: [[UInt8]] = []
    writer.beginObject()
    writer.key("model_name")
    writer.string(model)
    writer.key("model_version")
    writer.string(version)
    if let id = result.id {
      writer.key("id")
      writer.string(id)
    }
    writer.key("outputs")
    writer.beginArray()
    for output in result.outputs {
      writer.beginObject()
      writer.key("name")
      writer.string(output.name)
      writer.key("datatype")
      writer.string(output.tensor.dataType.rawValue)
      writer.key("shape")
      writer.beginArray()
      for dim in output.tensor.shape { writer.integer(Int64(dim)) }
      writer.endArray()
      if output.binary {
        let raw = RawTensorBytes.encode(output.tensor.storage)
        writer.key("parameters")
        writer.beginObject()
        writer.key("binary_data_size")
        writer.integer(Int64(raw.count))
        writer.endObject()
        buffers.append(raw)
      } else {
        writer.key("data")
        writeData(output.tensor.storage, into: &writer)
      }
      writer.endObject()
    }
    writer.endArray()
    writer.endObject()
    guard !buffers.isEmpty else { return EncodedResponse(body: writer.bytes, headerLength: nil) }
    var body = writer.bytes
    let headerLength = body.count
    for buffer in buffers { body.append(contentsOf: buffer) }
    return EncodedResponse(body: body, headerLength: headerLength)
  }

  private static func writeData(_ storage: Tensor.Storage, into writer: inout JSONWriter) {
    writer.beginArray()
    switch storage {
    case .float(let values): for value in values { writer.tensorNumber(value) }
    case .double(let values): for value in values { writer.tensorNumber(value) }
    case .int64(let values): for value in values { writer.integer(value) }
    case .int32(let values): for value in values { writer.integer(Int64(value)) }
    case .bool(let values): for value in values { writer.bool(value) }
    case .string(let values): for value in values { writer.string(value) }
    }
    writer.endArray()
  }
}
