import OnnxProto

/// Everything an operator builder needs to compile one node.
struct NodeContext {
  /// How messages name the node: `node 'Scaler' (ai.onnx.ml:Scaler@1)`.
  let label: String
  /// The operator set version of the node's domain.
  let opset: Int64
  /// The node's attributes.
  let attributes: NodeAttributes
  /// The value slot of each input; nil for an omitted optional input.
  let inputSlots: [Int?]
  /// The type of each input; nil for an omitted optional input.
  let inputTypes: [ValueType?]
  /// The constant value of each input that is an initializer.
  let constants: [Tensor?]
  /// The value slot of each output.
  let outputSlots: [Int]
  /// Whether each input is read by no later node and is no graph output, so the kernel may take
  /// its buffer and write its result in place.
  let consumable: [Bool]

  /// Whether input `index` may be consumed in place.
  func mayConsume(_ index: Int) -> Bool {
    index < consumable.count && consumable[index]
  }

  /// An `.invalidGraph` error naming the node.
  func error(_ message: String) -> OnnxError {
    OnnxError(.invalidGraph, "\(label): \(message)")
  }

  /// Checks the number of inputs and outputs.
  func expect(inputs: ClosedRange<Int>, outputs: ClosedRange<Int>) throws(OnnxError) {
    guard inputs.contains(inputSlots.count) else {
      throw error("expects \(inputs.lowerBound)…\(inputs.upperBound) inputs, got \(inputSlots.count)")
    }
    guard outputs.contains(outputSlots.count) else {
      throw error("expects \(outputs.lowerBound)…\(outputs.upperBound) outputs, got \(outputSlots.count)")
    }
  }

  /// The slot of a required input.
  func slot(_ index: Int) throws(OnnxError) -> Int {
    guard index < inputSlots.count, let slot = inputSlots[index] else {
      throw error("input \(index) is required")
    }
    return slot
  }

  /// The type of a required input.
  func type(_ index: Int) throws(OnnxError) -> ValueType {
    guard index < inputTypes.count, let type = inputTypes[index] else {
      throw error("input \(index) is required")
    }
    return type
  }

  /// The type of a required input, which must be one of `allowed`.
  func type(_ index: Int, in allowed: [TensorDataType]) throws(OnnxError) -> ValueType {
    let type = try type(index)
    guard allowed.contains(type.dataType) else {
      throw error(
        "input \(index) has type \(type.dataType.rawValue), expected one of "
          + allowed.map(\.rawValue).joined(separator: ", ")
      )
    }
    return type
  }

  /// The constant value of an input that must be an initializer.
  func constant(_ index: Int) throws(OnnxError) -> Tensor {
    guard index < constants.count, let tensor = constants[index] else {
      throw error("input \(index) must be a constant initializer")
    }
    return tensor
  }
}
