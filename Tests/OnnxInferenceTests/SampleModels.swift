import Foundation
import OnnxProto

@testable import OnnxInference

/// Models used by the fuzz and concurrency tests: the repository's exported models plus
/// programmatic ones covering the other operator families.
enum SampleModels {
  /// The repository's `models/**/model.onnx` files, located from this source file.
  static func repositoryModels() -> [(name: String, bytes: [UInt8])] {
    let root = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("models")
    guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
      return []
    }
    var found: [(String, [UInt8])] = []
    for case let url as URL in walker where url.lastPathComponent == "model.onnx" {
      if let data = try? Data(contentsOf: url) {
        found.append((url.path.replacingOccurrences(of: root.path + "/", with: ""), [UInt8](data)))
      }
    }
    return found.sorted { $0.0 < $1.0 }
  }

  /// Small programmatic models (serialized) exercising trees, linear models, MLP layers and strings.
  static func programmatic() -> [(name: String, bytes: [UInt8])] {
    let tree = B.model(
      nodes: [
        B.node(
          "TreeEnsembleClassifier",
          domain: "ml",
          ["X"],
          ["label", "p"],
          [
            B.attr("nodes_treeids", ints: [0, 0, 0, 1]),
            B.attr("nodes_nodeids", ints: [0, 1, 2, 0]),
            B.attr("nodes_featureids", ints: [1, 0, 0, 0]),
            B.attr("nodes_modes", strings: ["BRANCH_LEQ", "LEAF", "LEAF", "LEAF"]),
            B.attr("nodes_values", floats: [0.5, 0, 0, 0]),
            B.attr("nodes_truenodeids", ints: [1, 0, 0, 0]),
            B.attr("nodes_falsenodeids", ints: [2, 0, 0, 0]),
            B.attr("nodes_missing_value_tracks_true", ints: [1, 0, 0, 0]),
            B.attr("class_treeids", ints: [0, 0, 1]),
            B.attr("class_nodeids", ints: [1, 2, 0]),
            B.attr("class_ids", ints: [0, 2, 1]),
            B.attr("class_weights", floats: [0.5, 0.7, 0.2]),
            B.attr("classlabels_int64s", ints: [0, 1, 2]),
            B.attr("post_transform", string: "SOFTMAX"),
          ]
        ),
        B.node(
          "ZipMap",
          domain: "ml",
          ["p"],
          ["probabilities"],
          [B.attr("classlabels_int64s", ints: [0, 1, 2])]
        ),
      ],
      inputs: [B.value("X", B.float, [nil, 2])],
      outputs: [B.value("label", B.int64, [nil]), B.sequenceOfMaps("probabilities")]
    )
    let mlp = B.model(
      nodes: [
        B.node("MatMul", ["X", "W"], ["h"]),
        B.node("Add", ["h", "b"], ["z"]),
        B.node("Tanh", ["z"], ["t"]),
        B.node("Softmax", ["t"], ["p"], [B.attr("axis", int: 1)]),
        B.node("ArgMax", ["p"], ["i"], [B.attr("axis", int: 1)]),
        B.node("Reshape", ["i", "shape"], ["label"]),
      ],
      inputs: [B.value("X", B.float, [nil, 2])],
      outputs: [B.value("label", B.int64, [nil]), B.value("p", B.float, [nil, 3])],
      initializers: [
        B.initializer("W", floats: [1, -1, 0.5, 2, 0.25, -3], dims: [2, 3]),
        B.initializer("b", floats: [0.1, 0.2, 0.3], dims: [3]),
        B.initializer("shape", int64s: [-1], dims: [1]),
      ]
    )
    let strings = B.model(
      nodes: [
        B.node(
          "LabelEncoder",
          domain: "ml",
          ["cat"],
          ["code"],
          [B.attr("keys_strings", strings: ["a", "b"]), B.attr("values_int64s", ints: [0, 1])]
        ),
        B.node("Cast", ["code"], ["f"], [B.attr("to", int: 1)]),
        B.node("Concat", ["f", "num"], ["X"], [B.attr("axis", int: 1)]),
        B.node(
          "LinearClassifier",
          domain: "ml",
          ["X"],
          ["label", "scores"],
          [
            B.attr("coefficients", floats: [1, -1, -1, 1]),
            B.attr("intercepts", floats: [0, 0]),
            B.attr("classlabels_strings", strings: ["no", "yes"]),
            B.attr("post_transform", string: "SOFTMAX"),
          ]
        ),
      ],
      inputs: [B.value("cat", B.string, [nil, 1]), B.value("num", B.float, [nil, 1])],
      outputs: [B.value("label", B.string, [nil]), B.value("scores", B.float, [nil, 2])]
    )
    return [("tree", B.bytes(tree)), ("mlp", B.bytes(mlp)), ("strings", B.bytes(strings))]
  }

  /// A valid input for `info` with `rows` rows, or nil when the declared shape is absurd.
  static func input(for info: TensorInfo, rows: Int, seed: Int) -> Tensor? {
    guard !info.shape.isEmpty else { return nil }
    let shape = info.shape.map { $0 ?? rows }
    guard let count = Tensor.elementCount(of: shape), count <= 100_000 else { return nil }
    let values = (0..<count).map { Float(($0 * 7 + seed * 13) % 11) / 4 - 1 }
    switch info.dataType {
    case .float:
      return try? Tensor(shape: shape, storage: .float(values.enumerated().map { $0 % 5 == 4 ? .nan : $1 }))
    case .double: return try? Tensor(shape: shape, storage: .double(values.map(Double.init)))
    case .int64: return try? Tensor(shape: shape, storage: .int64(values.map { Int64($0 * 4) }))
    case .int32: return try? Tensor(shape: shape, storage: .int32(values.map { Int32($0 * 4) }))
    case .bool: return try? Tensor(shape: shape, storage: .bool(values.map { $0 > 0 }))
    case .string: return try? Tensor(shape: shape, storage: .string(values.map { $0 > 0 ? "a" : "b" }))
    }
  }
}
