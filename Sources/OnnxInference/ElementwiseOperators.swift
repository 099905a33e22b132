import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Builders for Add, Sub, Mul, Div, Where, Relu, Tanh and Sigmoid.
enum ElementwiseOperators {
  /// Add with broadcasting.
  @Sendable static func add(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try binary(context, .add)
  }

  /// Sub with broadcasting.
  @Sendable static func sub(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try binary(context, .sub)
  }

  /// Mul with broadcasting.
  @Sendable static func mul(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try binary(context, .mul)
  }

  /// Div with broadcasting (integer division by zero is a runtime failure).
  @Sendable static func div(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try binary(context, .div)
  }

  private static func binary(_ context: NodeContext, _ op: BinaryKernel.Op) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 2...2, outputs: 1...1)
    let numeric: [TensorDataType] = [.float, .double, .int64, .int32]
    let a = try context.type(0, in: numeric)
    let b = try context.type(1, in: numeric)
    guard a.dataType == b.dataType else {
      throw context.error("inputs have different types (\(a.dataType.rawValue), \(b.dataType.rawValue))")
    }
    let kernel = BinaryKernel(
      label: context.label,
      a: try context.slot(0),
      b: try context.slot(1),
      output: context.outputSlots[0],
      op: op,
      consume: context.mayConsume(0)
    )
    return NodeBuild(
      kernel: kernel,
      outputTypes: [ValueType(dataType: a.dataType, shape: broadcastType(a, b))]
    )
  }

  private static func broadcastType(_ a: ValueType, _ b: ValueType) -> [Int?]? {
    guard let rankA = a.rank, let rankB = b.rank else { return nil }
    return Array(repeating: nil, count: max(rankA, rankB))
  }

  /// Where: `condition ? x : y` with broadcasting.
  @Sendable static func whereOperator(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 3...3, outputs: 1...1)
    _ = try context.type(0, in: [.bool])
    let x = try context.type(1)
    let y = try context.type(2)
    guard x.dataType == y.dataType else {
      throw context.error("X and Y have different types (\(x.dataType.rawValue), \(y.dataType.rawValue))")
    }
    let kernel = WhereKernel(
      label: context.label,
      condition: try context.slot(0),
      x: try context.slot(1),
      y: try context.slot(2),
      output: context.outputSlots[0]
    )
    return NodeBuild(
      kernel: kernel,
      outputTypes: [ValueType(dataType: x.dataType, shape: broadcastType(x, y))]
    )
  }

  /// Relu: max(x, 0).
  @Sendable static func relu(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try unary(context, .relu)
  }

  /// Tanh.
  @Sendable static func tanh(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try unary(context, .tanh)
  }

  /// Sigmoid: 1 / (1 + e^−x).
  @Sendable static func sigmoid(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try unary(context, .sigmoid)
  }

  private static func unary(_ context: NodeContext, _ op: UnaryKernel.Op) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...1)
    let input = try context.type(0, in: [.float, .double])
    let kernel = UnaryKernel(
      label: context.label,
      input: try context.slot(0),
      output: context.outputSlots[0],
      op: op,
      consume: context.mayConsume(0)
    )
    return NodeBuild(kernel: kernel, outputTypes: [input])
  }
}

/// Runs a compiled Relu, Tanh or Sigmoid.
struct UnaryKernel: Kernel {
  enum Op { case relu, tanh, sigmoid }
  let label: String
  let input: Int
  let output: Int
  let op: Op
  /// Whether the input buffer may be overwritten (its last use).
  let consume: Bool

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    var tensor = values.read(input, consume: consume, into: output)
    switch tensor.dataType {
    case .float:
      var data = tensor.takeFloats()!
      data.withUnsafeMutableBufferPointer { buffer in
        switch op {
        case .relu: for i in buffer.indices { buffer[i] = buffer[i] < 0 ? 0 : buffer[i] }
        case .tanh: for i in buffer.indices { buffer[i] = tanhf(buffer[i]) }
        case .sigmoid: for i in buffer.indices { buffer[i] = 1 / (1 + expf(-buffer[i])) }
        }
      }
      values[output] = Tensor(validShape: tensor.shape, storage: .float(data))
    case .double:
      var data = tensor.takeDoubles()!
      data.withUnsafeMutableBufferPointer { buffer in
        switch op {
        case .relu: for i in buffer.indices { buffer[i] = buffer[i] < 0 ? 0 : buffer[i] }
        case .tanh: for i in buffer.indices { buffer[i] = hyperbolicTangent(buffer[i]) }
        case .sigmoid: for i in buffer.indices { buffer[i] = 1 / (1 + exponential(-buffer[i])) }
        }
      }
      values[output] = Tensor(validShape: tensor.shape, storage: .double(data))
    default:
      throw OnnxError(.runtimeFailure, "\(label): expects FP32 or FP64, got \(tensor.dataType.rawValue)")
    }
  }
}

/// The C library's `tanh`, under a name the operator cases do not shadow.
func hyperbolicTangent(_ value: Double) -> Double { tanh(value) }

/// The C library's `exp`, under a name the operator cases do not shadow.
func exponential(_ value: Double) -> Double { exp(value) }
