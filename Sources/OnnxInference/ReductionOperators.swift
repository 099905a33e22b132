import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Builders for Softmax and ArgMax.
enum ReductionOperators {
  /// Softmax along an axis (opset ≥ 13: that axis only, default −1; before: the flattened tail).
  @Sendable static func softmax(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...1)
    let input = try context.type(0, in: [.float, .double])
    let modern = context.opset >= 13
    let axis = Int(clamping: try context.attributes.int("axis", default: modern ? -1 : 1))
    return NodeBuild(
      kernel: SoftmaxKernel(
        label: context.label,
        input: try context.slot(0),
        output: context.outputSlots[0],
        axis: axis,
        flattensTail: !modern,
        consume: context.mayConsume(0)
      ),
      outputTypes: [input]
    )
  }

  /// ArgMax along an axis (first maximum unless `select_last_index`), INT64 output.
  @Sendable static func argMax(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...1)
    let input = try context.type(0, in: [.float, .double, .int64, .int32])
    let attributes = context.attributes
    let keepDims = try attributes.int("keepdims", default: 1) != 0
    var shape: [Int?]? = nil
    if let rank = input.rank { shape = Array(repeating: nil, count: keepDims ? rank : max(rank - 1, 0)) }
    return NodeBuild(
      kernel: ArgMaxKernel(
        label: context.label,
        input: try context.slot(0),
        output: context.outputSlots[0],
        axis: Int(clamping: try attributes.int("axis", default: 0)),
        keepDims: keepDims,
        selectLast: try attributes.int("select_last_index", default: 0) != 0
      ),
      outputTypes: [ValueType(dataType: .int64, shape: shape)]
    )
  }
}

/// Runs a compiled Softmax.
struct SoftmaxKernel: Kernel {
  let label: String
  let input: Int
  let output: Int
  let axis: Int
  let flattensTail: Bool
  /// Whether the input buffer may be overwritten (its last use).
  let consume: Bool

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    var tensor = values.read(input, consume: consume, into: output)
    let axis = try normalizedAxis(self.axis, rank: tensor.shape.count, label)
    let outer = tensor.shape[..<axis].reduce(1, *)
    let size = flattensTail ? tensor.shape[axis...].reduce(1, *) : tensor.shape[axis]
    let inner = flattensTail ? 1 : tensor.shape[(axis + 1)...].reduce(1, *)
    switch tensor.dataType {
    case .float:
      var data = tensor.takeFloats()!
      data.withUnsafeMutableBufferPointer {
        Self.softmax($0, outer: outer, size: size, inner: inner, exp: expf)
      }
      values[output] = Tensor(validShape: tensor.shape, storage: .float(data))
    case .double:
      var data = tensor.takeDoubles()!
      data.withUnsafeMutableBufferPointer {
        Self.softmax($0, outer: outer, size: size, inner: inner, exp: exp)
      }
      values[output] = Tensor(validShape: tensor.shape, storage: .double(data))
    default:
      throw OnnxError(.runtimeFailure, "\(label): expects FP32 or FP64, got \(tensor.dataType.rawValue)")
    }
  }

  private static func softmax<T: BinaryFloatingPoint>(
    _ data: UnsafeMutableBufferPointer<T>,
    outer: Int,
    size: Int,
    inner: Int,
    exp: (T) -> T
  ) {
    guard size > 0 else { return }
    for block in 0..<outer {
      for offset in 0..<inner {
        let base = block * size * inner + offset
        var maximum = data[base]
        for i in 1..<size where data[base + i * inner] > maximum { maximum = data[base + i * inner] }
        var sum: T = 0
        for i in 0..<size {
          let value = exp(data[base + i * inner] - maximum)
          data[base + i * inner] = value
          sum += value
        }
        for i in 0..<size { data[base + i * inner] /= sum }
      }
    }
  }
}

/// Runs a compiled ArgMax.
struct ArgMaxKernel: Kernel {
  let label: String
  let input: Int
  let output: Int
  let axis: Int
  let keepDims: Bool
  let selectLast: Bool

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let tensor = values[input]
    let axis = try normalizedAxis(self.axis, rank: tensor.shape.count, label)
    let outer = tensor.shape[..<axis].reduce(1, *)
    let size = tensor.shape[axis]
    let inner = tensor.shape[(axis + 1)...].reduce(1, *)
    try requireShape(size > 0, label, "cannot take ArgMax over an empty axis")
    var result = values.reusableInt64s(output, count: outer * inner)
    try result.withUnsafeMutableBufferPointer { (out) throws(OnnxError) in
      switch tensor.storage {
      case .float(let data): argMax(data, outer: outer, size: size, inner: inner, into: out)
      case .double(let data): argMax(data, outer: outer, size: size, inner: inner, into: out)
      case .int64(let data): argMax(data, outer: outer, size: size, inner: inner, into: out)
      case .int32(let data): argMax(data, outer: outer, size: size, inner: inner, into: out)
      default: throw OnnxError(.runtimeFailure, "\(label): expects a numeric input")
      }
    }
    var shape = values.reusableShape(output)
    shape.append(contentsOf: tensor.shape)
    if keepDims { shape[axis] = 1 } else { shape.remove(at: axis) }
    values[output] = Tensor(validShape: shape, storage: .int64(result))
  }

  private func argMax<T: Comparable>(
    _ data: [T],
    outer: Int,
    size: Int,
    inner: Int,
    into result: UnsafeMutableBufferPointer<Int64>
  ) {
    data.withUnsafeBufferPointer { data in
      for block in 0..<outer {
        for offset in 0..<inner {
          let base = block * size * inner + offset
          var best = 0
          for i in 1..<size {
            let value = data[base + i * inner]
            let current = data[base + best * inner]
            if value > current || (selectLast && value == current) { best = i }
          }
          result[block * inner + offset] = Int64(best)
        }
      }
    }
  }
}
