import HotswapCore
import HotswapJSON
import OnnxInference

/// What `GET /v2/models/{name}` and gRPC ModelMetadata report: the model's name, the versions
/// the slots hold, the platform and the tensors of the slot described.
public struct ModelMetadataDocument: Sendable, Equatable {
  /// One input or output.
  public struct TensorMetadata: Sendable, Equatable {
    /// Its name.
    public var name: String
    /// Its datatype (`FP32`, …).
    public var datatype: String
    /// Its shape, -1 for a variable dimension.
    public var shape: [Int64]
  }

  /// The platform every model served here runs on.
  public static let platform = "onnx"

  /// The model's name (`[server] model_name`).
  public var name: String
  /// Every version a slot holds.
  public var versions: [String]
  /// `onnx`.
  public var platform: String
  /// The inputs.
  public var inputs: [TensorMetadata]
  /// The outputs.
  public var outputs: [TensorMetadata]

  /// Describes `slot` within `snapshot` under the model name `name`.
  public init(name: String, snapshot: Snapshot, slot: ServingSlot) {
    self.name = name
    self.versions = snapshot.versions
    self.platform = Self.platform
    let session = slot.model.session
    self.inputs = session.inputs.map(Self.tensor)
    self.outputs = session.outputs.map(Self.tensor)
  }

  private static func tensor(_ info: TensorInfo) -> TensorMetadata {
    TensorMetadata(name: info.name, datatype: info.dataType.rawValue, shape: info.wireShape)
  }

  /// Writes the REST JSON form.
  public func write(into writer: inout JSONWriter) {
    writer.beginObject()
    writer.key("name")
    writer.string(name)
    writer.key("versions")
    writer.strings(versions)
    writer.key("platform")
    writer.string(platform)
    for (key, tensors) in [("inputs", inputs), ("outputs", outputs)] {
      writer.key(key)
      writer.beginArray()
      for tensor in tensors {
        writer.beginObject()
        writer.key("name")
        writer.string(tensor.name)
        writer.key("datatype")
        writer.string(tensor.datatype)
        writer.key("shape")
        writer.beginArray()
        for dim in tensor.shape { writer.integer(dim) }
        writer.endArray()
        writer.endObject()
      }
      writer.endArray()
    }
    writer.endObject()
  }
}
