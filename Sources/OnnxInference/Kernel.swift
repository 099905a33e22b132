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
  /// The tensor in `slot`. When `consume` is set the caller gets the only reference to its buffer
  /// and may mutate it without a copy; the slot then receives what `output` held, so the buffer a
  /// previous call left there stays in the workspace instead of being freed.
  mutating func read(_ slot: Int, consume: Bool, into output: Int) -> Tensor {
    guard consume else { return self[slot] }
    let tensor = self[slot]
    self[slot] = self[output]
    self[output] = .placeholder
    return tensor
  }

  /// The FP32 buffer a previous call left in `slot`, resized to `count` elements, so an
  /// intermediate result is written without allocating. Fresh elements are zero; kept ones hold
  /// stale values, so the caller must write every element it reads back.
  mutating func reusableFloats(_ slot: Int, count: Int) -> [Float] {
    var buffer: [Float] = []
    if case .float = self[slot].storage { buffer = self[slot].takeFloats()! }
    buffer.resize(to: count, filling: 0)
    return buffer
  }

  /// The INT64 buffer a previous call left in `slot`, resized to `count` (see `reusableFloats`).
  mutating func reusableInt64s(_ slot: Int, count: Int) -> [Int64] {
    var buffer: [Int64] = []
    if case .int64(let values) = self[slot].storage {
      self[slot].storage = .int64([])
      buffer = values
    }
    buffer.resize(to: count, filling: 0)
    return buffer
  }

  /// The INT32 buffer a previous call left in `slot`, resized to `count` (see `reusableFloats`).
  mutating func reusableInt32s(_ slot: Int, count: Int) -> [Int32] {
    var buffer: [Int32] = []
    if case .int32(let values) = self[slot].storage {
      self[slot].storage = .int32([])
      buffer = values
    }
    buffer.resize(to: count, filling: 0)
    return buffer
  }

  /// The shape array a previous call left in `slot`, emptied with its capacity kept.
  mutating func reusableShape(_ slot: Int) -> [Int] {
    var shape = self[slot].shape
    self[slot].shape = []
    guard shape.capacity >= Self.shapeCapacity, shape.bufferAddress != Tensor.placeholder.shape.bufferAddress
    else {
      // No buffer of our own yet: one allocation with room for any rank the kernels produce.
      var fresh: [Int] = []
      fresh.reserveCapacity(Self.shapeCapacity)
      return fresh
    }
    shape.removeAll(keepingCapacity: true)
    return shape
  }

  /// The capacity of a new shape array.
  private static var shapeCapacity: Int { 4 }

  /// The elements of the tensor in `slot` as `Float`, or a runtime failure naming `node`.
  func floats(at slot: Int, node: String) throws(OnnxError) -> (tensor: Tensor, values: [Float]) {
    let tensor = self[slot]
    guard let values = tensor.storage.floats() else {
      throw OnnxError(.runtimeFailure, "\(node): expects a numeric input, got \(tensor.dataType.rawValue)")
    }
    return (tensor, values)
  }
}

extension Array {
  /// Grows or shrinks the array to `count` elements, keeping its buffer when it is large enough.
  mutating func resize(to count: Int, filling value: Element) {
    if self.count > count {
      removeLast(self.count - count)
    } else if self.count < count {
      append(contentsOf: repeatElement(value, count: count - self.count))
    }
  }
}
