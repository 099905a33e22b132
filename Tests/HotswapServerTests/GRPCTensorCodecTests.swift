import HotswapCore
import HotswapServer
import OnnxInference
import Testing

/// The REST binary extension's framing on both sides of a call (the tensor decoding itself is
/// HotswapCore's, tested in `TensorDecoderTests`).
@Suite("Open Inference Protocol REST binary framing")
struct GRPCTensorCodecTests {
  static func floatBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
  }

  @Test("REST binary extension: JSON header, then buffers in input order")
  func restBinaryRequest() throws {
    let header = Array(
      #"{"inputs":[{"name":"X","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":16}}],"parameters":{"binary_data_output":true}}"#
        .utf8
    )
    let body = header + Self.floatBytes([5.1, 3.5, 1.4, 0.2])
    let request = try InferenceRESTCodec.decode(body, headerLength: header.count)
    #expect(request.binaryOutputs)
    guard case .raw(let bytes) = request.inputs.first?.payload else {
      Issue.record("expected raw bytes")
      return
    }
    #expect(bytes == Self.floatBytes([5.1, 3.5, 1.4, 0.2]))
    let extra = body + [0]
    #expect(throws: InferenceError.self) { try InferenceRESTCodec.decode(extra, headerLength: header.count) }
    #expect(throws: InferenceError.self) {
      try InferenceRESTCodec.decode(Array(body.dropLast()), headerLength: header.count)
    }
    #expect(throws: InferenceError.self) { try InferenceRESTCodec.decode(body, headerLength: body.count + 1) }
  }

  @Test("REST response: binary outputs after the JSON header, JSON outputs inline")
  func restResponse() throws {
    let result = InferResult(
      id: "7",
      outputs: [
        InferResult.Output(
          name: "label",
          tensor: try Tensor(shape: [2], storage: .int64([0, 2])),
          binary: true
        ),
        InferResult.Output(name: "p", tensor: try Tensor(shape: [1], storage: .float([0.5])), binary: false),
      ]
    )
    let encoded = InferenceRESTCodec.encode(result, model: "iris", version: "v1")
    let length = try #require(encoded.headerLength)
    let json = String(decoding: encoded.body[..<length], as: UTF8.self)
    #expect(
      json
        == #"{"model_name":"iris","model_version":"v1","id":"7","outputs":[{"name":"label","datatype":"INT64","shape":[2],"parameters":{"binary_data_size":16}},{"name":"p","datatype":"FP32","shape":[1],"data":[0.5]}]}"#
    )
    #expect(Array(encoded.body[length...]) == RawTensorBytes.encode(.int64([0, 2])))
  }
}
