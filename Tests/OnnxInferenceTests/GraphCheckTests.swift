import Foundation
import OnnxProto
import Testing

@testable import OnnxInference

@Suite("Graph checks and input validation")
struct GraphCheckTests {
  private let scaler = B.node(
    "Scaler",
    domain: "ml",
    ["X"],
    ["Y"],
    name: "scale",
    [B.attr("scale", floats: [2])]
  )

  private func scalerModel(opsets: [(String, Int64)] = [("", 17), ("ai.onnx.ml", 3)]) -> Onnx_ModelProto {
    B.model(
      nodes: [scaler],
      inputs: [B.value("X", B.float, [nil, 4])],
      outputs: [B.value("Y", B.float, [nil, 4])],
      opsets: opsets
    )
  }

  @Test("an unknown operator names the operator, its domain, the opset and the node")
  func unknownOperator() throws {
    let model = B.model(
      nodes: [B.node("TopK", ["X"], ["Y"], name: "pick")],
      inputs: [B.value("X", B.float, [nil, 4])],
      outputs: [B.value("Y", B.float, [nil, 4])]
    )
    let error = #expect(throws: OnnxError.self) { try InferenceSession(bytes: B.bytes(model)) }
    #expect(error?.code == .unsupportedOperator)
    for part in ["'TopK'", "'ai.onnx'", "opset 17", "'pick'"] {
      #expect(error?.message.contains(part) == true, "missing \(part) in \(error?.message ?? "")")
    }
  }

  @Test("an operator at an opset it does not support is a load error")
  func unsupportedOpset() throws {
    let error = #expect(throws: OnnxError.self) {
      try InferenceSession(bytes: B.bytes(scalerModel(opsets: [("", 17), ("ai.onnx.ml", 99)])))
    }
    #expect(error?.code == .unsupportedOperator)
    #expect(error?.message.contains("opset 99") == true)
  }

  @Test("nodes out of topological order are rejected")
  func badOrder() throws {
    let model = B.model(
      nodes: [B.node("Relu", ["h"], ["Y"], name: "second"), B.node("Identity", ["X"], ["h"], name: "first")],
      inputs: [B.value("X", B.float, [nil, 4])],
      outputs: [B.value("Y", B.float, [nil, 4])]
    )
    let error = #expect(throws: OnnxError.self) { try InferenceSession(bytes: B.bytes(model)) }
    #expect(error?.code == .invalidGraph)
    #expect(error?.message.contains("'second'") == true)
    #expect(error?.message.contains("topological") == true)
  }

  @Test("duplicated default-domain opset entries are accepted")
  func duplicatedOpsets() throws {
    let session = try InferenceSession(
      bytes: B.bytes(scalerModel(opsets: [("", 13), ("ai.onnx", 13), ("ai.onnx.ml", 1)]))
    )
    #expect(session.metadata.opsets == ["ai.onnx": 13, "ai.onnx.ml": 1])
    #expect(session.operators == ["ai.onnx.ml:Scaler@1"])
  }

  @Test("an empty graph, an empty file and garbage bytes are load errors")
  func emptyAndGarbage() throws {
    let empty = B.model(
      nodes: [],
      inputs: [B.value("X", B.float, [nil, 4])],
      outputs: [B.value("X", B.float, [nil, 4])]
    )
    #expect(throws: OnnxError.self) { try InferenceSession(bytes: B.bytes(empty)) }
    let noFile = #expect(throws: OnnxError.self) { try InferenceSession(bytes: []) }
    #expect(noFile?.code == .invalidModel)
    let garbage = #expect(throws: OnnxError.self) { try InferenceSession(bytes: [0xFF, 0xFF, 0xFF, 0x01]) }
    #expect(garbage?.code == .invalidModel)
  }

  @Test(
    "wrong input shapes and types are invalidInput errors naming the input",
    arguments: [
      (
        try! Tensor(shape: [1, 3], storage: .float([1, 2, 3])),
        "input 'X' expects shape [N, 4] (FP32), got [1, 3]"
      ),
      (
        try! Tensor(shape: [4], storage: .float([1, 2, 3, 4])),
        "input 'X' expects shape [N, 4] (FP32), got [4]"
      ),
      (
        try! Tensor(shape: [1, 4], storage: .double([1, 2, 3, 4])),
        "input 'X' expects shape [N, 4] (FP32), got [1, 4] (FP64)"
      ),
    ]
  )
  func wrongInputs(_ tensor: Tensor, _ message: String) throws {
    let session = try InferenceSession(bytes: B.bytes(scalerModel()))
    let error = #expect(throws: OnnxError.self) { try session.run([tensor]) }
    #expect(error == OnnxError(.invalidInput, message))
  }

  @Test("a tensor whose element count does not match its shape is rejected")
  func elementCount() throws {
    #expect(throws: OnnxError.self) { try Tensor(shape: [2, 4], storage: .float([1])) }
    let session = try InferenceSession(bytes: B.bytes(scalerModel()))
    var tensor = B.matrix([[1, 2, 3, 4]])
    tensor.shape = [2, 4]
    let error = #expect(throws: OnnxError.self) { try session.run([tensor]) }
    #expect(error?.code == .invalidInput)
  }

  @Test("named inputs: unknown and missing names are errors")
  func namedInputs() throws {
    let session = try InferenceSession(bytes: B.bytes(scalerModel()))
    #expect(throws: OnnxError.self) { try session.run(named: ["x": B.matrix([[1, 2, 3, 4]])]) }
    #expect(throws: OnnxError.self) { try session.run(named: [:]) }
    #expect(try session.run(named: ["X": B.matrix([[1, 2, 3, 4]])])["Y"]?.floats == [2, 4, 6, 8])
  }

  @Test("an initializer whose data does not match its dims is a load error")
  func badInitializer() throws {
    var model = B.model(
      nodes: [B.node("Add", ["X", "b"], ["Y"])],
      inputs: [B.value("X", B.float, [nil, 2])],
      outputs: [B.value("Y", B.float, [nil, 2])],
      initializers: [B.initializer("b", floats: [1, 2], dims: [1_000_000_000, 1_000_000_000])]
    )
    let error = #expect(throws: OnnxError.self) { try InferenceSession(bytes: B.bytes(model)) }
    #expect(error?.code == .invalidModel)
    model.graph.initializer[0].dims = [-1]
    #expect(throws: OnnxError.self) { try InferenceSession(bytes: B.bytes(model)) }
  }
}
