import HotswapJSON
import HotswapServer
import OnnxInference
import Testing

/// The tensor codec shared by REST and gRPC: raw little-endian bytes, JSON data, typed contents,
/// and the REST binary extension's framing.
@Suite("Open Inference Protocol tensor codec")
struct GRPCTensorCodecTests {
  static let features = TensorInfo(name: "X", dataType: .float, shape: [nil, 4])

  static func floatBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
  }

  @Test(
    "raw bytes round-trip for every datatype",
    arguments: [
      Tensor.Storage.float([1.5, -2, 0.1]), .double([1e300, -0.5]), .int64([Int64.min, 0, 7]),
      .int32([-1, 2]),
      .bool([true, false, true]), .string(["setosa", "", "héllo"]),
    ]
  )
  func rawRoundTrip(storage: Tensor.Storage) throws {
    let bytes = RawTensorBytes.encode(storage)
    let decoded = try RawTensorBytes.decode(
      bytes,
      dataType: storage.dataType,
      count: storage.count,
      input: "t"
    )
    #expect(decoded == storage)
  }

  @Test("FP32 encodes little-endian")
  func littleEndian() {
    #expect(RawTensorBytes.encode(.float([1])) == [0x00, 0x00, 0x80, 0x3F])
    #expect(RawTensorBytes.encode(.string(["ab"])) == [2, 0, 0, 0, 0x61, 0x62])
  }

  /// A wire input and the error fragment it must produce (nil: decodes).
  struct Case: Sendable, CustomTestStringConvertible {
    let label: String
    let input: InferInput
    let fragment: String?
    var testDescription: String { label }
  }

  static let cases: [Case] = [
    Case(
      label: "JSON flat",
      input: InferInput(
        name: "X",
        datatype: "FP32",
        shape: [1, 4],
        payload: .json([1.0, 2, 3, 4].map { JSONValue.number($0, isInteger: false) })
      ),
      fragment: nil
    ),
    Case(
      label: "JSON nested",
      input: InferInput(
        name: "X",
        datatype: "FP32",
        shape: [2, 4],
        payload: .json([
          .array([1.0, 2, 3, 4].map { JSONValue.number($0, isInteger: true) }),
          .array([5.0, 6, 7, 8].map { JSONValue.number($0, isInteger: true) }),
        ])
      ),
      fragment: nil
    ),
    Case(
      label: "raw",
      input: InferInput(
        name: "X",
        datatype: "FP32",
        shape: [1, 4],
        payload: .raw(floatBytes([1, 2, 3, 4]))
      ),
      fragment: nil
    ),
    Case(
      label: "JSON too few",
      input: InferInput(
        name: "X",
        datatype: "FP32",
        shape: [1, 4],
        payload: .json([.number(1, isInteger: true)])
      ),
      fragment: "has 1 elements in 'data' but its shape needs 4"
    ),
    Case(
      label: "JSON too many",
      input: InferInput(
        name: "X",
        datatype: "FP32",
        shape: [1, 4],
        payload: .json(Array(repeating: .number(1, isInteger: true), count: 5))
      ),
      fragment: "more elements in 'data' than its shape allows (4)"
    ),
    Case(
      label: "JSON string in FP32",
      input: InferInput(
        name: "X",
        datatype: "FP32",
        shape: [1, 4],
        payload: .json([.string("a"), .null, .null, .null])
      ),
      fragment: "element 0 must be a number, got a string"
    ),
    Case(
      label: "FP32 overflow",
      input: InferInput(
        name: "X",
        datatype: "FP32",
        shape: [1, 4],
        payload: .json([.number(1e300, isInteger: false), .null, .null, .null])
      ),
      fragment: "out of FP32 range"
    ),
    Case(
      label: "raw short",
      input: InferInput(name: "X", datatype: "FP32", shape: [1, 4], payload: .raw(floatBytes([1, 2, 3]))),
      fragment: "has 12 bytes of raw data but its shape needs 4 × 4 = 16"
    ),
    Case(
      label: "unknown datatype",
      input: InferInput(name: "X", datatype: "FP16", shape: [1, 4], payload: .raw([])),
      fragment: "unknown datatype 'FP16'"
    ),
    Case(
      label: "wrong datatype",
      input: InferInput(name: "X", datatype: "INT64", shape: [1, 4], payload: .raw([])),
      fragment: "must be FP32, got INT64"
    ),
    Case(
      label: "wrong rank",
      input: InferInput(name: "X", datatype: "FP32", shape: [4], payload: .raw(floatBytes([1, 2, 3, 4]))),
      fragment: "must have shape [-1, 4] (-1: any size), got [4]"
    ),
    Case(
      label: "negative dim",
      input: InferInput(name: "X", datatype: "FP32", shape: [-1, 4], payload: .raw([])),
      fragment: "dimensions must be ≥ 0"
    ),
    Case(
      label: "huge shape",
      input: InferInput(name: "X", datatype: "FP32", shape: [Int64(1) << 40, 4], payload: .raw([])),
      fragment: "too many elements"
    ),
    Case(
      label: "typed mismatch",
      input: InferInput(name: "X", datatype: "FP32", shape: [1, 4], payload: .typed(.double([1, 2, 3, 4]))),
      fragment: "its contents hold FP64 values"
    ),
  ]

  @Test("decoding checks datatype, shape, element count and byte length", arguments: cases)
  func decode(_ testCase: Case) {
    do {
      let tensor = try TensorDecoder(info: Self.features).decode(testCase.input)
      #expect(testCase.fragment == nil, "decoded unexpectedly")
      #expect(tensor.shape == testCase.input.shape.map { Int($0) })
    } catch {
      #expect(error.code == .invalidArgument)
      let fragment = testCase.fragment ?? "<none expected>"
      #expect(error.message.contains(fragment), "\(error.message)")
    }
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
