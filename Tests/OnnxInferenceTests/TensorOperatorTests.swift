import Foundation
import OnnxProto
import Testing

@testable import OnnxInference

@Suite("Tensor operators")
struct TensorOperatorTests {
  /// A one-node model over input X (type, dims) and optional constant initializers.
  private func session(
    _ node: Onnx_NodeProto,
    input: (Int32, [Int64?]),
    output: (Int32, [Int64?]),
    initializers: [Onnx_TensorProto] = [],
    opsets: [(String, Int64)] = [("", 17), ("ai.onnx.ml", 3)]
  ) throws -> InferenceSession {
    let model = B.model(
      nodes: [node],
      inputs: [B.value("X", input.0, input.1)],
      outputs: [B.value("Y", output.0, output.1)],
      initializers: initializers,
      opsets: opsets
    )
    return try InferenceSession(bytes: B.bytes(model))
  }

  @Test("Cast float → int64 truncates toward zero; NaN gives Int64.min")
  func castTruncates() throws {
    let s = try session(
      B.node("Cast", ["X"], ["Y"], [B.attr("to", int: 7)]),
      input: (B.float, [4]),
      output: (B.int64, [4])
    )
    let x = try Tensor(shape: [4], storage: .float([2.7, -2.7, 0.5, .nan]))
    #expect(try s.run([x])[0].int64s == [2, -2, 0, Int64.min])
  }

  @Test("Softmax along the last axis; ArgMax picks the first maximum and keeps dims")
  func softmaxArgMax() throws {
    let soft = try session(
      B.node("Softmax", ["X"], ["Y"]),
      input: (B.float, [nil, 2]),
      output: (B.float, [nil, 2])
    )
    let y = try soft.run([B.matrix([[1, 1], [0, Float(log(3.0))]])])[0].floats
    #expect(y[0] == 0.5 && y[1] == 0.5)
    #expect(abs(y[2] - 0.25) < 1e-6 && abs(y[3] - 0.75) < 1e-6)
    let arg = try session(
      B.node("ArgMax", ["X"], ["Y"], [B.attr("axis", int: 1)]),
      input: (B.float, [nil, 3]),
      output: (B.int64, [nil, 1])
    )
    let result = try arg.run([B.matrix([[3, 5, 5], [9, 1, 9]])])[0]
    #expect(result.shape == [2, 1])
    #expect(result.int64s == [1, 0])
  }

  @Test("Reshape infers −1 and copies 0")
  func reshape() throws {
    let s = try session(
      B.node("Reshape", ["X", "shape"], ["Y"]),
      input: (B.float, [nil, 4]),
      output: (B.float, [nil, 2]),
      initializers: [B.initializer("shape", int64s: [-1, 2], dims: [2])]
    )
    let result = try s.run([B.matrix([[1, 2, 3, 4], [5, 6, 7, 8]])])[0]
    #expect(result.shape == [4, 2])
    #expect(result.floats == [1, 2, 3, 4, 5, 6, 7, 8])
  }

  @Test("LabelEncoder maps strings to int64 with a default for unknown keys")
  func labelEncoder() throws {
    let node = B.node(
      "LabelEncoder",
      domain: "ml",
      ["X"],
      ["Y"],
      [
        B.attr("keys_strings", strings: ["a", "b"]),
        B.attr("values_int64s", ints: [10, 20]),
        B.attr("default_int64", int: -1),
      ]
    )
    let s = try session(node, input: (B.string, [nil, 1]), output: (B.int64, [nil, 1]))
    let x = try Tensor(shape: [3, 1], storage: .string(["b", "zzz", "a"]))
    #expect(try s.run([x])[0].int64s == [20, -1, 10])
  }

  @Test("OneHotEncoder on strings: [N, 1] → [N, 1, C], unknown → zeros, or an error when zeros = 0")
  func oneHot() throws {
    let node = { (zeros: Int64) in
      B.node(
        "OneHotEncoder",
        domain: "ml",
        ["X"],
        ["Y"],
        [B.attr("cats_strings", strings: ["a", "b", "c"]), B.attr("zeros", int: zeros)]
      )
    }
    let s = try session(node(1), input: (B.string, [nil, 1]), output: (B.float, [nil, 1, 3]))
    let x = try Tensor(shape: [2, 1], storage: .string(["c", "zzz"]))
    let result = try s.run([x])[0]
    #expect(result.shape == [2, 1, 3])
    #expect(result.floats == [0, 0, 1, 0, 0, 0])
    let strict = try session(node(0), input: (B.string, [nil, 1]), output: (B.float, [nil, 1, 3]))
    let error = #expect(throws: OnnxError.self) { try strict.run([x]) }
    #expect(error?.code == .runtimeFailure)
  }

  @Test("ArrayFeatureExtractor gathers along the last axis; 1-D data gives [1, k]")
  func arrayFeatureExtractor() throws {
    let s = try session(
      B.node("ArrayFeatureExtractor", domain: "ml", ["X", "i"], ["Y"]),
      input: (B.string, [3]),
      output: (B.string, [1, 2]),
      initializers: [B.initializer("i", int64s: [2, 0], dims: [2])]
    )
    let result = try s.run([try Tensor(shape: [3], storage: .string(["x", "y", "z"]))])[0]
    #expect(result.shape == [1, 2])
    #expect(result.strings == ["z", "x"])
  }

  @Test("Concat joins strings; Gather takes negative indices; Where selects")
  func concatGatherWhere() throws {
    let concat = try session(
      B.node("Concat", ["X", "c"], ["Y"], [B.attr("axis", int: 1)]),
      input: (B.string, [nil, 1]),
      output: (B.string, [nil, 2]),
      initializers: [B.initializer("c", strings: ["k"], dims: [1, 1])]
    )
    #expect(try concat.run([try Tensor(shape: [1, 1], storage: .string(["a"]))])[0].strings == ["a", "k"])
    let gather = try session(
      B.node("Gather", ["X", "i"], ["Y"], [B.attr("axis", int: 1)]),
      input: (B.float, [nil, 3]),
      output: (B.float, [nil, 1]),
      initializers: [B.initializer("i", int64s: [-1], dims: [1])]
    )
    #expect(try gather.run([B.matrix([[1, 2, 3]])])[0].floats == [3])
    let model = B.model(
      nodes: [
        B.node("Cast", ["X"], ["flag"], [B.attr("to", int: 9)]),
        B.node("Where", ["flag", "X", "zero"], ["Y"]),
      ],
      inputs: [B.value("X", B.float, [nil, 3])],
      outputs: [B.value("Y", B.float, [nil, 3])],
      initializers: [B.initializer("zero", floats: [-1], dims: [1])]
    )
    let whereSession = try InferenceSession(bytes: B.bytes(model))
    #expect(try whereSession.run([B.matrix([[0, 2, 0]])])[0].floats == [-1, 2, -1])
  }

  @Test("MatMul, Add with row broadcasting, Relu")
  func denseLayer() throws {
    let model = B.model(
      nodes: [
        B.node("MatMul", ["X", "W"], ["h"]),
        B.node("Add", ["h", "b"], ["z"]),
        B.node("Relu", ["z"], ["Y"]),
      ],
      inputs: [B.value("X", B.float, [nil, 2])],
      outputs: [B.value("Y", B.float, [nil, 3])],
      initializers: [
        B.initializer("W", floats: [1, 2, 3, 4, 5, 6], dims: [2, 3]),
        B.initializer("b", floats: [-10, 0, 1], dims: [3]),
      ]
    )
    let session = try InferenceSession(bytes: B.bytes(model))
    // [1, 1]·W = [5, 7, 9]; + b = [-5, 7, 10]; relu → [0, 7, 10]
    let rows = (0..<9).map { _ in [Float(1), 1] }
    let result = try session.run([B.matrix(rows)])[0]
    #expect(result.shape == [9, 3])
    #expect(result.floats == Array(repeating: [0, 7, 10], count: 9).flatMap { $0 })
  }

  @Test("a value read by two nodes is overwritten in place only at its last use")
  func inPlaceReuse() throws {
    let model = B.model(
      nodes: [
        B.node("Relu", ["X"], ["h"]),
        B.node("Sigmoid", ["h"], ["a"]),
        B.node("Add", ["h", "h"], ["twice"]),
        B.node("Mul", ["h", "X"], ["b"]),
      ],
      inputs: [B.value("X", B.float, [nil, 2])],
      outputs: [
        B.value("a", B.float, [nil, 2]), B.value("twice", B.float, [nil, 2]),
        B.value("b", B.float, [nil, 2]),
      ]
    )
    let session = try InferenceSession(bytes: B.bytes(model))
    let x = B.matrix([[-1, 2]])
    let result = try session.run([x])
    #expect(result[0].floats[0] == 0.5)
    #expect(abs(result[0].floats[1] - Float(1 / (1 + exp(-2.0)))) < 1e-6)
    #expect(result[1].floats == [0, 4])
    #expect(result[2].floats == [0, 4])
    #expect(x.floats == [-1, 2])
  }
}
