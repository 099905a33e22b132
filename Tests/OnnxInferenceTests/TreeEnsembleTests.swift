import Foundation
import OnnxProto
import Testing

@testable import OnnxInference

typealias B = ModelBuilder

/// A regressor with one stump: node 0 compares feature 0, true → leaf 10, false → leaf 20.
private func stump(mode: String, threshold: Float, tracksTrue: Int64) throws -> InferenceSession {
  let node = B.node(
    "TreeEnsembleRegressor",
    domain: "ml",
    ["X"],
    ["Y"],
    [
      B.attr("nodes_treeids", ints: [0, 0, 0]),
      B.attr("nodes_nodeids", ints: [0, 1, 2]),
      B.attr("nodes_featureids", ints: [0, 0, 0]),
      B.attr("nodes_modes", strings: [mode, "LEAF", "LEAF"]),
      B.attr("nodes_values", floats: [threshold, 0, 0]),
      B.attr("nodes_truenodeids", ints: [1, 0, 0]),
      B.attr("nodes_falsenodeids", ints: [2, 0, 0]),
      B.attr("nodes_missing_value_tracks_true", ints: [tracksTrue, 0, 0]),
      B.attr("target_treeids", ints: [0, 0]),
      B.attr("target_nodeids", ints: [1, 2]),
      B.attr("target_ids", ints: [0, 0]),
      B.attr("target_weights", floats: [10, 20]),
    ]
  )
  return try B.session(node, features: 1, outputs: [B.value("Y", B.float, [nil, 1])])
}

@Suite("TreeEnsemble")
struct TreeEnsembleTests {
  struct Case: Sendable, CustomStringConvertible {
    var mode: String
    var x: Float
    var threshold: Float = 1
    var tracksTrue: Int64 = 0
    var takesTrue: Bool
    var description: String { "\(mode) x=\(x) t=\(threshold) tracksTrue=\(tracksTrue)" }
  }

  static let cases: [Case] = [
    Case(mode: "BRANCH_LEQ", x: 1, takesTrue: true),
    Case(mode: "BRANCH_LEQ", x: 1.5, takesTrue: false),
    Case(mode: "BRANCH_LT", x: 1, takesTrue: false),
    Case(mode: "BRANCH_LT", x: 0.5, takesTrue: true),
    Case(mode: "BRANCH_GTE", x: 1, takesTrue: true),
    Case(mode: "BRANCH_GTE", x: 0.5, takesTrue: false),
    Case(mode: "BRANCH_GT", x: 1, takesTrue: false),
    Case(mode: "BRANCH_GT", x: 2, takesTrue: true),
    Case(mode: "BRANCH_EQ", x: 1, takesTrue: true),
    Case(mode: "BRANCH_EQ", x: 2, takesTrue: false),
    Case(mode: "BRANCH_NEQ", x: 1, takesTrue: false),
    Case(mode: "BRANCH_NEQ", x: 2, takesTrue: true),
    // NaN without the flag: every comparison is false, so only NEQ is true.
    Case(mode: "BRANCH_LEQ", x: .nan, takesTrue: false),
    Case(mode: "BRANCH_LT", x: .nan, takesTrue: false),
    Case(mode: "BRANCH_GTE", x: .nan, takesTrue: false),
    Case(mode: "BRANCH_GT", x: .nan, takesTrue: false),
    Case(mode: "BRANCH_EQ", x: .nan, takesTrue: false),
    Case(mode: "BRANCH_NEQ", x: .nan, takesTrue: true),
    // NaN with missing_value_tracks_true goes to the true branch whatever the mode.
    Case(mode: "BRANCH_LEQ", x: .nan, tracksTrue: 1, takesTrue: true),
    Case(mode: "BRANCH_GT", x: .nan, tracksTrue: 1, takesTrue: true),
    Case(mode: "BRANCH_NEQ", x: .nan, tracksTrue: 1, takesTrue: true),
    // A +inf threshold with the flag set is always true.
    Case(mode: "BRANCH_LEQ", x: 3e38, threshold: .infinity, tracksTrue: 1, takesTrue: true),
    Case(mode: "BRANCH_LEQ", x: .nan, threshold: .infinity, tracksTrue: 1, takesTrue: true),
    // The comparison is done in float32: 0.1f ≤ 0.1f.
    Case(mode: "BRANCH_LEQ", x: Float(0.1), threshold: Float(0.1), takesTrue: true),
  ]

  @Test("node modes and NaN routing", arguments: cases)
  func modes(_ c: Case) throws {
    let session = try stump(mode: c.mode, threshold: c.threshold, tracksTrue: c.tracksTrue)
    let result = try session.run([B.matrix([[c.x]])])
    #expect(result[0].floats == [c.takesTrue ? 10 : 20])
    #expect(session.handlesMissingValues == (c.tracksTrue == 1))
  }

  @Test("a batch walks every row (blocks of rows in lockstep)")
  func batch() throws {
    let session = try stump(mode: "BRANCH_LEQ", threshold: 0, tracksTrue: 0)
    let xs: [Float] = (0..<100).map { Float($0 % 3) - 1 }
    let result = try session.run([try Tensor(shape: [100, 1], storage: .float(xs))])
    #expect(result[0].shape == [100, 1])
    #expect(result[0].floats == xs.map { $0 <= 0 ? 10 : 20 })
  }

  /// Two single-leaf trees (weights 1 and 4), base value 0.5.
  @Test(
    "aggregate functions",
    arguments: [("SUM", Float(5.5)), ("AVERAGE", 3.0), ("MIN", 1.5), ("MAX", 4.5)]
  )
  func aggregate(_ function: String, _ expected: Float) throws {
    let node = B.node(
      "TreeEnsembleRegressor",
      domain: "ml",
      ["X"],
      ["Y"],
      [
        B.attr("nodes_treeids", ints: [0, 1]),
        B.attr("nodes_nodeids", ints: [0, 0]),
        B.attr("nodes_featureids", ints: [0, 0]),
        B.attr("nodes_modes", strings: ["LEAF", "LEAF"]),
        B.attr("nodes_values", floats: [0, 0]),
        B.attr("nodes_truenodeids", ints: [0, 0]),
        B.attr("nodes_falsenodeids", ints: [0, 0]),
        B.attr("target_treeids", ints: [0, 1]),
        B.attr("target_nodeids", ints: [0, 0]),
        B.attr("target_ids", ints: [0, 0]),
        B.attr("target_weights", floats: [1, 4]),
        B.attr("base_values", floats: [0.5]),
        B.attr("aggregate_function", string: function),
      ]
    )
    let session = try B.session(node, features: 1, outputs: [B.value("Y", B.float, [nil, 1])])
    #expect(try session.run([B.matrix([[0]])])[0].floats == [expected])
  }

  @Test("PROBIT post transform on a regressor")
  func probit() throws {
    #expect(PostTransform.probit(0.5) == 0)
    #expect(abs(PostTransform.probit(0.975) - 1.959964) < 2e-3)
  }

  @Test("a cycle between nodes is a load error, not a hang")
  func cycle() throws {
    let node = B.node(
      "TreeEnsembleRegressor",
      domain: "ml",
      ["X"],
      ["Y"],
      [
        B.attr("nodes_treeids", ints: [0, 0]),
        B.attr("nodes_nodeids", ints: [0, 1]),
        B.attr("nodes_featureids", ints: [0, 0]),
        B.attr("nodes_modes", strings: ["BRANCH_LEQ", "BRANCH_LEQ"]),
        B.attr("nodes_values", floats: [0, 0]),
        B.attr("nodes_truenodeids", ints: [1, 0]),
        B.attr("nodes_falsenodeids", ints: [1, 0]),
        B.attr("target_treeids", ints: []),
        B.attr("target_nodeids", ints: []),
        B.attr("target_ids", ints: []),
        B.attr("target_weights", floats: []),
      ]
    )
    let error = #expect(throws: OnnxError.self) {
      try B.session(node, features: 1, outputs: [B.value("Y", B.float, [nil, 1])])
    }
    #expect(error?.code == .invalidGraph)
    #expect(error?.message.contains("cycle") == true)
  }

  @Test("double inputs to trees are unsupported")
  func doubleInput() throws {
    let node = B.node("TreeEnsembleRegressor", domain: "ml", ["X"], ["Y"], [])
    let error = #expect(throws: OnnxError.self) {
      try B.session(node, features: 1, outputs: [B.value("Y", B.float, [nil, 1])], inputType: B.double)
    }
    #expect(error?.code == .unsupportedOperator)
  }
}
