/// A compiled graph: value slots by index, constants pre-placed, and the kernels in order.
struct ExecutionPlan: Sendable {
  /// The initial slot values: constants in their slots, placeholders elsewhere.
  let template: [Tensor]
  /// The slot of each graph input, in input order.
  let inputSlots: [Int]
  /// The compiled nodes in topological order.
  let steps: [any Kernel]
  /// The slot of each graph output, in output order.
  let outputSlots: [Int]

  /// Runs the graph on already validated inputs.
  func run(_ inputs: [Tensor]) throws(OnnxError) -> [Tensor] {
    var values = template
    for (index, slot) in inputSlots.enumerated() {
      values[slot] = inputs[index]
    }
    for step in steps {
      try step.run(&values)
    }
    var outputs: [Tensor] = []
    outputs.reserveCapacity(outputSlots.count)
    for slot in outputSlots {
      outputs.append(values[slot])
    }
    return outputs
  }
}
