import HotswapCore
import OnnxInference
import Testing

@testable import HotswapServer

/// Open Inference Protocol JSON tensors over REST: Triton's non-finite literals both ways, and
/// element counts checked against the data before anything is allocated.
@Suite struct InferenceRESTJSONTests {
  static let features = TensorInfo(name: "X", dataType: .float, shape: [nil, 4])

  static func input(_ json: String) throws -> InferInput {
    let body = #"{"inputs":[\#(json)]}"#
    return try #require(InferenceRESTCodec.decode(Array(body.utf8), headerLength: nil).inputs.first)
  }

  static func decode(_ json: String, info: TensorInfo = features) throws -> Tensor.Storage {
    try TensorDecoder(info: info).decode(input(json)).storage
  }

  @Test func fp32AcceptsNaNAndInfinitiesAsTritonWritesThem() throws {
    let storage = try Self.decode(
      #"{"name":"X","shape":[1,4],"datatype":"FP32","data":[NaN,Infinity,-Infinity,1.5]}"#
    )
    guard case .float(let values) = storage else {
      Issue.record("FP32 decodes to floats")
      return
    }
    #expect(values[0].isNaN)
    #expect(values[1] == .infinity)
    #expect(values[2] == -.infinity)
    #expect(values[3] == 1.5)
  }

  @Test func fp64AcceptsThemNested() throws {
    let info = TensorInfo(name: "X", dataType: .double, shape: [nil, 2])
    let storage = try Self.decode(
      #"{"name":"X","shape":[2,2],"datatype":"FP64","data":[[NaN,1],[2,-Inf]]}"#,
      info: info
    )
    guard case .double(let values) = storage else {
      Issue.record("FP64 decodes to doubles")
      return
    }
    #expect(values[0].isNaN && values[1] == 1 && values[2] == 2 && values[3] == -.infinity)
  }

  @Test(arguments: [
    (
      #"{"name":"X","shape":[1,1],"datatype":"INT64","data":[NaN]}"#,
      TensorInfo(name: "X", dataType: .int64, shape: [nil, 1]), "is not a INT64 integer"
    ),
    (#"{"name":"X","shape":[1,4],"datatype":"FP32","data":[1e300,1,2,3]}"#, features, "out of FP32 range"),
    (
      #"{"name":"X","shape":[67108864,4],"datatype":"FP32","data":[1,2,3,4]}"#, features,
      "has 4 elements in 'data' but its shape needs 268435456"
    ),
    (#"{"name":"X","shape":[1,4],"datatype":"FP32","data":[[1,2],[3,4],[5]]}"#, features, "more elements"),
  ])
  func badTensorsAreRefusedWithAReason(_ json: String, _ info: TensorInfo, _ reason: String) throws {
    let input = try Self.input(json)
    #expect {
      try TensorDecoder(info: info).decode(input)
    } throws: { error in
      "\(error)".contains(reason)
    }
  }

  @Test func nonFiniteLiteralsAreRefusedOutsideTensorData() {
    #expect {
      try InferenceRESTCodec.decode(
        Array(#"{"inputs":[{"name":"X","shape":[NaN],"datatype":"FP32","data":[]}]}"#.utf8),
        headerLength: nil
      )
    } throws: { error in
      "\(error)".contains("'shape' must hold integers")
    }
  }

  @Test func outputsWriteNonFiniteValuesAsTritonDoes() throws {
    let tensor = try Tensor(shape: [1, 3], storage: .float([.nan, .infinity, 0.25]))
    let result = InferResult(id: nil, outputs: [.init(name: "variable", tensor: tensor, binary: false)])
    let body = String(
      decoding: InferenceRESTCodec.encode(result, model: "m", version: "v").body,
      as: UTF8.self
    )
    #expect(body.contains(#""data":[NaN,Infinity,0.25]"#))
  }
}
