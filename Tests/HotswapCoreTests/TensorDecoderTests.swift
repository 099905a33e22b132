import HotswapJSON
import OnnxInference
import Testing

@testable import HotswapCore

/// The tensor decoding every inference protocol shares: raw little-endian bytes, JSON data and
/// typed contents checked against the model input's datatype and shape before anything runs.
@Suite("Open Inference Protocol tensor decoding")
struct TensorDecoderTests {
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

  @Test("counting JSON leaves stops past the limit")
  func leafCountStopsPastTheLimit() {
    let values = Array(repeating: JSONValue.array([.null, .null]), count: 1000)
    #expect(JSONTensorElements.leafCount(values, stoppingAbove: 3) == 4)
    #expect(JSONTensorElements.leafCount(values, stoppingAbove: 5000) == 2000)
  }

  @Test("a dynamic axis is written -1")
  func wireShape() {
    #expect(Self.features.wireShape == [-1, 4])
    #expect(TensorInfo(name: "s", dataType: .string, shape: []).wireShape == [])
  }
}
