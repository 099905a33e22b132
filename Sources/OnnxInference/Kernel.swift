/// One compiled step of an execution plan: reads its input slots and writes its output slots.
protocol Kernel: Sendable {
  /// Runs the step over the value slots of one call.
  func run(_ values: inout [Tensor]) throws(OnnxError)
}

/// What an operator builder returns: the kernel and the types of the node's outputs.
struct NodeBuild {
  /// The compiled step.
  var kernel: any Kernel
  /// The type of each output, in the operator's output order.
  var outputTypes: [ValueType]
}

extension Tensor {
  /// An empty placeholder for value slots not yet written.
  static let placeholder = Tensor(validShape: [0], storage: .float([]))

  /// Rows and columns when the tensor is read as a matrix: `[F]` is one row, `[N, …]` is N rows.
  var matrixShape: (rows: Int, cols: Int) {
    switch shape.count {
    case 0: return (1, 1)
    case 1: return (1, shape[0])
    default: return (shape[0], shape.dropFirst().reduce(1, *))
    }
  }
}

extension Tensor {
  /// Moves the elements out as `Float` (converting other numbers), leaving the tensor empty, so a
  /// uniquely held buffer can be mutated without a copy. Nil for booleans and strings.
  mutating func takeFloats() -> [Float]? {
    if case .float(let values) = storage {
      storage = .float([])
      return values
    }
    return storage.floats()
  }

  /// Moves the FP64 elements out, leaving the tensor empty; nil for other types.
  mutating func takeDoubles() -> [Double]? {
    guard case .double(let values) = storage else { return nil }
    storage = .double([])
    return values
  }
}

extension Tensor.Storage {
  /// The elements converted to `Float`, or nil for booleans and strings.
  func floats() -> [Float]? {
    switch self {
    case .float(let values): values
    case .double(let values): values.map { Float($0) }
    case .int64(let values): values.map { Float($0) }
    case .int32(let values): values.map { Float($0) }
    case .bool, .string: nil
    }
  }
}

extension [Tensor] {
  /// The tensor in `slot`; when `consume` is set the slot is emptied so the caller holds the only
  /// reference to its buffer and may mutate it without a copy.
  mutating func read(_ slot: Int, consume: Bool) -> Tensor {
    let tensor = self[slot]
    if consume { self[slot] = .placeholder }
    return tensor
  }

  /// The elements of the tensor in `slot` as `Float`, or a runtime failure naming `node`.
  func floats(at slot: Int, node: String) throws(OnnxError) -> (tensor: Tensor, values: [Float]) {
    let tensor = self[slot]
    guard let values = tensor.storage.floats() else {
      throw OnnxError(.runtimeFailure, "\(node): expects a numeric input, got \(tensor.dataType.rawValue)")
    }
    return (tensor, values)
  }
}
