import Foundation
import Testing

@testable import OnnxInference

/// A classifier stump on feature 0 (x ≤ 0 → leaf 1, else leaf 2) with per-leaf class weights.
private func classifier(
  labels: [Int64],
  leafTrue: [(Int64, Float)],
  leafFalse: [(Int64, Float)],
  base: [Float] = [],
  transform: String = "NONE"
) throws -> InferenceSession {
  let weights = leafTrue.map { (Int64(1), $0.0, $0.1) } + leafFalse.map { (Int64(2), $0.0, $0.1) }
  var attributes = [
    B.attr("nodes_treeids", ints: [0, 0, 0]),
    B.attr("nodes_nodeids", ints: [0, 1, 2]),
    B.attr("nodes_featureids", ints: [0, 0, 0]),
    B.attr("nodes_modes", strings: ["BRANCH_LEQ", "LEAF", "LEAF"]),
    B.attr("nodes_values", floats: [0, 0, 0]),
    B.attr("nodes_truenodeids", ints: [1, 0, 0]),
    B.attr("nodes_falsenodeids", ints: [2, 0, 0]),
    B.attr("class_treeids", ints: weights.map { _ in 0 }),
    B.attr("class_nodeids", ints: weights.map(\.0)),
    B.attr("class_ids", ints: weights.map(\.1)),
    B.attr("class_weights", floats: weights.map(\.2)),
    B.attr("classlabels_int64s", ints: labels),
    B.attr("post_transform", string: transform),
  ]
  if !base.isEmpty { attributes.append(B.attr("base_values", floats: base)) }
  let node = B.node("TreeEnsembleClassifier", domain: "ml", ["X"], ["label", "probabilities"], attributes)
  return try B.session(
    node,
    features: 1,
    outputs: [
      B.value("label", B.int64, [nil]), B.value("probabilities", B.float, [nil, Int64(labels.count)]),
    ]
  )
}

private func sigmoid(_ x: Float) -> Float { Float(1 / (1 + exp(-Double(x)))) }

private func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-6) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}

@Suite("TreeEnsembleClassifier")
struct TreeClassifierTests {
  @Test("binary, weights ≥ 0: label s > 0.5, probabilities [1 − s, s]")
  func binaryPositive() throws {
    let session = try classifier(labels: [0, 1], leafTrue: [(0, 0.25)], leafFalse: [(0, 0.75)])
    let result = try session.run([B.matrix([[-1], [1]])])
    #expect(result[0].int64s == [0, 1])
    #expect(result[1].floats == [0.75, 0.25, 0.25, 0.75])
  }

  @Test("binary, weights ≥ 0, LOGISTIC: [1 − σ(s), σ(s)], label still by s > 0.5")
  func binaryPositiveLogistic() throws {
    let session = try classifier(
      labels: [0, 1],
      leafTrue: [(0, 0.25)],
      leafFalse: [(0, 0.75)],
      transform: "LOGISTIC"
    )
    let result = try session.run([B.matrix([[-1], [1]])])
    #expect(result[0].int64s == [0, 1])
    #expect(close(result[1].floats, [1 - sigmoid(0.25), sigmoid(0.25), 1 - sigmoid(0.75), sigmoid(0.75)]))
  }

  @Test("binary, a weight < 0: label s > 0, probabilities [−s, s] or [σ(−s), σ(s)]")
  func binaryNegative() throws {
    let raw = try classifier(labels: [0, 1], leafTrue: [(0, -0.5)], leafFalse: [(0, 0.5)], base: [0.25])
    let result = try raw.run([B.matrix([[-1], [1]])])
    #expect(result[0].int64s == [0, 1])
    #expect(result[1].floats == [0.25, -0.25, -0.75, 0.75])
    let logistic = try classifier(
      labels: [0, 1],
      leafTrue: [(0, -0.5)],
      leafFalse: [(0, 0.5)],
      base: [0.25],
      transform: "LOGISTIC"
    )
    let probabilities = try logistic.run([B.matrix([[-1]])])[1].floats
    #expect(close(probabilities, [sigmoid(0.25), sigmoid(-0.25)]))
  }

  @Test("multiclass: per-class sums plus base values, first maximum on ties")
  func multiclassTies() throws {
    let session = try classifier(
      labels: [10, 20, 30],
      leafTrue: [(0, 1), (1, 1), (2, 0)],
      leafFalse: [(0, 1), (1, 1), (2, 0)],
      base: [0, 0.5, 0.5]
    )
    let result = try session.run([B.matrix([[-1]])])
    #expect(result[0].int64s == [20])
    #expect(result[1].floats == [1, 1.5, 0.5])
    let tie = try classifier(labels: [10, 20, 30], leafTrue: [(0, 1), (1, 1)], leafFalse: [(2, 1)])
    #expect(try tie.run([B.matrix([[-1]])])[0].int64s == [10])
  }

  @Test("SOFTMAX and SOFTMAX_ZERO")
  func softmax() throws {
    let e1 = Float(exp(-1.0))
    let soft = try classifier(
      labels: [0, 1, 2],
      leafTrue: [(0, 2), (2, 1)],
      leafFalse: [(0, 2), (2, 1)],
      transform: "SOFTMAX"
    )
    let all = 1 + Float(exp(-2.0)) + e1
    #expect(close(try soft.run([B.matrix([[-1]])])[1].floats, [1 / all, Float(exp(-2.0)) / all, e1 / all]))
    let zero = try classifier(
      labels: [0, 1, 2],
      leafTrue: [(0, 2), (2, 1)],
      leafFalse: [(0, 2), (2, 1)],
      transform: "SOFTMAX_ZERO"
    )
    #expect(close(try zero.run([B.matrix([[-1]])])[1].floats, [1 / (1 + e1), 0, e1 / (1 + e1)]))
  }
}
