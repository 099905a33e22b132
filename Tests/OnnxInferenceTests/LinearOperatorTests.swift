import Foundation
import Testing

@testable import OnnxInference

private func sigmoid(_ x: Float) -> Float { Float(1 / (1 + exp(-Double(x)))) }

@Suite("Linear and scaling operators")
struct LinearOperatorTests {
  private func linearClassifier(
    coefficients: [Float],
    intercepts: [Float],
    labels: [Int64],
    transform: String
  ) throws -> InferenceSession {
    let node = B.node(
      "LinearClassifier",
      domain: "ml",
      ["X"],
      ["label", "scores"],
      [
        B.attr("coefficients", floats: coefficients),
        B.attr("intercepts", floats: intercepts),
        B.attr("classlabels_ints", ints: labels),
        B.attr("post_transform", string: transform),
      ]
    )
    return try B.session(
      node,
      features: 2,
      outputs: [B.value("label", B.int64, [nil]), B.value("scores", B.float, [nil, 2])]
    )
  }

  @Test("LinearClassifier with a single row: [1 − z, z], label z > 0")
  func singleRow() throws {
    let session = try linearClassifier(
      coefficients: [1, 2],
      intercepts: [-1],
      labels: [0, 1],
      transform: "NONE"
    )
    let result = try session.run([B.matrix([[1, 1], [0, 0]])])
    #expect(result[0].int64s == [1, 0])
    #expect(result[1].floats == [-1, 2, 2, -1])
  }

  @Test("LinearClassifier with a single row and LOGISTIC: [1 − σ(z), σ(z)]")
  func singleRowLogistic() throws {
    let session = try linearClassifier(
      coefficients: [1, 2],
      intercepts: [-1],
      labels: [0, 1],
      transform: "LOGISTIC"
    )
    let result = try session.run([B.matrix([[1, 1]])])
    #expect(result[0].int64s == [1])
    #expect(abs(result[1].floats[1] - sigmoid(2)) < 1e-6)
    #expect(abs(result[1].floats[0] - (1 - sigmoid(2))) < 1e-6)
  }

  @Test("LinearClassifier: label = argmax of raw scores, first on ties")
  func argmaxTies() throws {
    let session = try linearClassifier(
      coefficients: [1, 0, 0, 1],
      intercepts: [0, 0],
      labels: [7, 9],
      transform: "NONE"
    )
    let result = try session.run([B.matrix([[2, 2], [1, 3]])])
    #expect(result[0].int64s == [7, 9])
    #expect(result[1].floats == [2, 2, 1, 3])
  }

  @Test("LinearRegressor: X·Wᵀ + b with two targets")
  func regressor() throws {
    let node = B.node(
      "LinearRegressor",
      domain: "ml",
      ["X"],
      ["Y"],
      [
        B.attr("coefficients", floats: [1, 2, 3, 4]),
        B.attr("intercepts", floats: [0.5, -1]),
        B.attr("targets", int: 2),
      ]
    )
    let session = try B.session(node, features: 2, outputs: [B.value("Y", B.float, [nil, 2])])
    let result = try session.run([B.matrix([[1, 1], [2, 0]])])
    #expect(result[0].shape == [2, 2])
    #expect(result[0].floats == [3.5, 6, 2.5, 5])
  }

  @Test(
    "Normalizer divides by MAX (not max |x|), L1 or L2",
    arguments: [
      ("MAX", [-4, 2], [-2, 1]),
      ("L1", [-4, 2], [-4 / 6, 2 / 6]),
      ("L2", [3, 4], [0.6, 0.8]),
    ] as [(String, [Float], [Float])]
  )
  func normalizer(_ norm: String, _ input: [Float], _ expected: [Float]) throws {
    let node = B.node("Normalizer", domain: "ml", ["X"], ["Y"], [B.attr("norm", string: norm)])
    let session = try B.session(node, features: 2, outputs: [B.value("Y", B.float, [nil, 2])])
    #expect(try session.run([B.matrix([input])])[0].floats == expected)
  }

  @Test("Scaler: (x − offset) · scale per column; length-1 arrays broadcast")
  func scaler() throws {
    let node = B.node(
      "Scaler",
      domain: "ml",
      ["X"],
      ["Y"],
      [B.attr("offset", floats: [1, 2, 3]), B.attr("scale", floats: [2])]
    )
    let session = try B.session(node, features: 3, outputs: [B.value("Y", B.float, [nil, 3])])
    #expect(try session.run([B.matrix([[1, 1, 1], [4, 4, 4]])])[0].floats == [0, -2, -4, 6, 4, 2])
    #expect(!session.handlesMissingValues)
  }

  @Test("Imputer replaces NaN per column")
  func imputer() throws {
    let node = B.node(
      "Imputer",
      domain: "ml",
      ["X"],
      ["Y"],
      [B.attr("imputed_value_floats", floats: [7, 8]), B.attr("replaced_value_float", float: .nan)]
    )
    let session = try B.session(node, features: 2, outputs: [B.value("Y", B.float, [nil, 2])])
    #expect(try session.run([B.matrix([[.nan, 1], [2, .nan]])])[0].floats == [7, 1, 2, 8])
    #expect(session.handlesMissingValues)
  }

  @Test("ZipMap is served as its input tensor under the ZipMap output's name")
  func zipMap() throws {
    let model = B.model(
      nodes: [
        B.node("Normalizer", domain: "ml", ["X"], ["p"], [B.attr("norm", string: "L1")]),
        B.node(
          "ZipMap",
          domain: "ml",
          ["p"],
          ["output_probability"],
          [B.attr("classlabels_int64s", ints: [0, 1])]
        ),
      ],
      inputs: [B.value("X", B.float, [nil, 2])],
      outputs: [B.sequenceOfMaps("output_probability")]
    )
    let session = try InferenceSession(bytes: B.bytes(model))
    #expect(session.outputs == [TensorInfo(name: "output_probability", dataType: .float, shape: [nil, 2])])
    let result = try session.run(named: ["X": B.matrix([[1, 3]])])
    #expect(result["output_probability"]?.floats == [0.25, 0.75])
  }
}
