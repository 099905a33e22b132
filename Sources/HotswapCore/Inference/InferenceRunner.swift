import OnnxInference

/// Runs one inference request on one slot: matches the request's inputs to the model's by name,
/// decodes and checks them, runs the session and picks the requested outputs. Pure apart from
/// the model's own computation; safe to call from any thread.
public struct InferenceRunner: Sendable {
  /// The session that runs the request.
  public let session: InferenceSession

  /// Creates a runner for a slot's model.
  public init(session: InferenceSession) {
    self.session = session
  }

  /// Runs `request`.
  public func run(_ request: InferRequest) throws(InferenceError) -> InferResult {
    try runKeepingTensors(request).result
  }

  /// A run's answer with the decoded input tensors and every output tensor of the model (the
  /// prediction tap hands them to the prediction log and the shadow mirror).
  public struct Run: Sendable {
    /// The answer, with the requested outputs.
    public let result: InferResult
    /// The inputs as the model received them, in its input order.
    public let inputs: [Tensor]
    /// Every output of the model, in its output order.
    public let outputs: [Tensor]
  }

  /// Runs `request`, keeping the decoded inputs and all outputs. Fails with `invalidArgument`
  /// before the model runs (`inputs` are then unknown) or with the model's error.
  public func runKeepingTensors(_ request: InferRequest) throws(InferenceError) -> Run {
    let tensors = try inputs(request.inputs)
    let selected = try selectedOutputs(request.outputs, binaryDefault: request.binaryOutputs)
    let results: [Tensor]
    do {
      results = try session.run(tensors)
    } catch {
      if error.code == .invalidInput { throw InferenceError(.invalidArgument, error.message) }
      throw InferenceError(.internal, "the model failed: \(error.message)")
    }
    let outputs = selected.map {
      InferResult.Output(name: session.outputs[$0.index].name, tensor: results[$0.index], binary: $0.binary)
    }
    return Run(result: InferResult(id: request.id, outputs: outputs), inputs: tensors, outputs: results)
  }

  /// The rows of the request (the first dimension of its first input), to decide whether it runs
  /// off the event loop.
  public static func batchSize(_ request: InferRequest) -> Int {
    guard let first = request.inputs.first?.shape.first, first > 0 else { return 0 }
    return Int(clamping: first)
  }

  private func inputs(_ wire: [InferInput]) throws(InferenceError) -> [Tensor] {
    var byName: [String: InferInput] = [:]
    for input in wire {
      guard session.inputs.contains(where: { $0.name == input.name }) else {
        throw InferenceError(
          .invalidArgument,
          "unknown input '\(input.name)'; the model's inputs are \(describe(session.inputs))"
        )
      }
      guard byName.updateValue(input, forKey: input.name) == nil else {
        throw InferenceError(.invalidArgument, "input '\(input.name)' is given more than once")
      }
    }
    var tensors: [Tensor] = []
    tensors.reserveCapacity(session.inputs.count)
    for info in session.inputs {
      guard let input = byName[info.name] else {
        let shape = info.wireShape
        throw InferenceError(
          .invalidArgument,
          "missing input '\(info.name)' (\(info.dataType.rawValue) \(shape))"
        )
      }
      tensors.append(try TensorDecoder(info: info).decode(input))
    }
    return tensors
  }

  private func selectedOutputs(
    _ requested: [InferRequestedOutput]?,
    binaryDefault: Bool
  ) throws(InferenceError)
    -> [(index: Int, binary: Bool)]
  {
    guard let requested, !requested.isEmpty else {
      return session.outputs.indices.map { ($0, binaryDefault) }
    }
    var selected: [(index: Int, binary: Bool)] = []
    for output in requested {
      guard let index = session.outputs.firstIndex(where: { $0.name == output.name }) else {
        throw InferenceError(
          .invalidArgument,
          "unknown output '\(output.name)'; the model's outputs are \(describe(session.outputs))"
        )
      }
      selected.append((index, output.binary ?? binaryDefault))
    }
    return selected
  }

  private func describe(_ infos: [TensorInfo]) -> String {
    infos.map { "'\($0.name)'" }.joined(separator: ", ")
  }
}
