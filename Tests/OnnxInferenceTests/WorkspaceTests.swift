import Foundation
import OnnxProto
import Testing

@testable import OnnxInference

/// A scikit-learn-style MLP classifier: Scaler, two dense layers, Softmax, ArgMax and the label
/// lookup, with `features` inputs, 5 hidden units and 3 classes.
private func mlpSession(features: Int = 4) throws -> InferenceSession {
  let hidden = 5
  let classes = 3
  let w1 = (0..<features * hidden).map { Float(($0 * 7) % 11) / 10 - 0.5 }
  let w2 = (0..<hidden * classes).map { Float(($0 * 5) % 13) / 10 - 0.6 }
  let model = B.model(
    nodes: [
      B.node(
        "Scaler",
        domain: "ml",
        ["X"],
        ["scaled"],
        [B.attr("offset", floats: [0.5]), B.attr("scale", floats: [2])]
      ),
      B.node("MatMul", ["scaled", "w1"], ["h"]),
      B.node("Add", ["h", "b1"], ["hb"]),
      B.node("Relu", ["hb"], ["a"]),
      B.node("MatMul", ["a", "w2"], ["z"]),
      B.node("Add", ["z", "b2"], ["zb"]),
      B.node("Softmax", ["zb"], ["probabilities"]),
      B.node("ArgMax", ["probabilities"], ["best"], [B.attr("axis", int: 1)]),
      B.node("ArrayFeatureExtractor", domain: "ml", ["classes", "best"], ["picked"]),
      B.node("Reshape", ["picked", "flat"], ["label"]),
    ],
    inputs: [B.value("X", B.float, [nil, Int64(features)])],
    outputs: [B.value("label", B.int64, [nil]), B.value("probabilities", B.float, [nil, Int64(classes)])],
    initializers: [
      B.initializer("w1", floats: w1, dims: [Int64(features), Int64(hidden)]),
      B.initializer("b1", floats: [0.1, -0.2, 0.3, 0, 0.05], dims: [Int64(hidden)]),
      B.initializer("w2", floats: w2, dims: [Int64(hidden), Int64(classes)]),
      B.initializer("b2", floats: [0.2, 0, -0.1], dims: [Int64(classes)]),
      B.initializer("classes", int64s: [10, 20, 30], dims: [Int64(classes)]),
      B.initializer("flat", int64s: [-1], dims: [1]),
    ]
  )
  return try InferenceSession(bytes: B.bytes(model))
}

/// `rows` rows of `features` deterministic values that differ with `seed`.
private func rows(_ rows: Int, features: Int = 4, seed: Int) -> Tensor {
  let data = (0..<rows * features).map { Float((($0 + seed * 31) * 17) % 29) / 7 - 2 }
  return try! Tensor(shape: [rows, features], storage: .float(data))
}

@Suite("Per-call workspaces")
struct WorkspaceTests {
  @Test("Sequential calls reuse one workspace and write into the same intermediate buffers")
  func intermediatesAreReused() throws {
    let session = try mlpSession()
    let input = rows(64, seed: 1)
    let first = try session.run([input])
    // A chain of in-place kernels (MatMul, Add, Relu) passes buffers back along the chain, one
    // slot per call, so the set of buffers settles after a few calls.
    for _ in 0..<5 { _ = try session.run([input]) }
    let buffers = session.plan.idleBufferAddresses()
    #expect(!buffers.isEmpty)
    for _ in 0..<5 {
      let again = try session.run([input])
      #expect(again == first)
      #expect(session.plan.idleBufferAddresses() == buffers)
    }
    #expect(session.plan.workspacesCreated == 1)
    // The outputs are the caller's: the workspace keeps no reference to their buffers.
    for output in first {
      #expect(!buffers.contains(output.storage.bufferAddress!))
    }
  }

  @Test("Outputs are not overwritten by later calls")
  func outputsBelongToTheCaller() throws {
    let session = try mlpSession()
    let reference = try mlpSession()
    let a = rows(16, seed: 2)
    let b = rows(16, seed: 3)
    let expectedA = try reference.run([a])
    let expectedB = try reference.run([b])
    #expect(expectedA != expectedB)
    var resultA = try session.run([a])
    let resultB = try session.run([b])
    #expect(resultA == expectedA)
    #expect(resultB == expectedB)
    // Mutating a result changes only the caller's copy.
    resultA[1].storage = .float([Float](repeating: 0, count: resultA[1].elementCount))
    #expect(try session.run([a]) == expectedA)
    #expect(try session.run([b]) == expectedB)
  }

  @Test("Batch sizes can change from call to call")
  func batchSizesChange() throws {
    let session = try mlpSession()
    let reference = try mlpSession()
    for count in [1000, 1, 37, 1000, 2, 1000] {
      let input = rows(count, seed: count)
      #expect(try session.run([input]) == (try reference.run([input])))
    }
  }

  @Test("A constant read for the last time stays intact for the next call")
  func constantsAreNotConsumed() throws {
    let model = B.model(
      nodes: [
        B.node("Relu", ["c"], ["r"]),
        B.node("Add", ["X", "r"], ["y"]),
      ],
      inputs: [B.value("X", B.float, [nil, 2])],
      outputs: [B.value("y", B.float, [nil, 2])],
      initializers: [B.initializer("c", floats: [-1, 2], dims: [1, 2])]
    )
    let session = try InferenceSession(bytes: B.bytes(model))
    let input = B.matrix([[1, 1]])
    for _ in 0..<3 {
      #expect(try session.run([input]) == [B.matrix([[1, 3]])])
    }
  }

  @Test("Concurrent calls never share a workspace")
  func concurrentCalls() async throws {
    let session = try mlpSession()
    let inputs = (0..<8).map { rows(50 + $0 * 13, seed: $0) }
    let expected = try inputs.map { try mlpSession().run([$0]) }
    let mismatches = await withTaskGroup(of: Int.self) { group in
      for (index, input) in inputs.enumerated() {
        group.addTask {
          var wrong = 0
          for _ in 0..<40 where (try? session.run([input])) != expected[index] { wrong += 1 }
          return wrong
        }
      }
      return await group.reduce(0, +)
    }
    #expect(mismatches == 0)
    #expect(session.plan.workspacesCreated <= inputs.count)
  }

  @Test("A failed call drops its workspace and the next call succeeds")
  func failureDropsTheWorkspace() throws {
    let model = B.model(
      nodes: [B.node("Reshape", ["X", "shape"], ["y"])],
      inputs: [B.value("X", B.float, [nil, 2])],
      outputs: [B.value("y", B.float, [nil, nil])],
      initializers: [B.initializer("shape", int64s: [3, -1], dims: [2])]
    )
    let session = try InferenceSession(bytes: B.bytes(model))
    #expect(throws: OnnxError.self) { try session.run([B.matrix([[1, 2]])]) }
    let result = try session.run([B.matrix([[1, 2], [3, 4], [5, 6]])])
    #expect(result.first?.shape == [3, 2])
  }
}
