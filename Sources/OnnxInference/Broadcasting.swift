/// Multidirectional (NumPy-style) broadcasting of tensor shapes.
enum Broadcasting {
  /// Upper bound on the elements of a broadcast result, so a bad input cannot exhaust memory.
  static let maxElements = 1 << 28

  /// How an input's elements are found for each output element.
  enum Pattern {
    /// Same shape as the output.
    case identity
    /// One element for all.
    case scalar
    /// The input is a trailing block of the output repeated: index = i mod count.
    case cyclic(Int)
    /// An explicit index per output element.
    case explicit([Int])

    /// The input index for output element `i`.
    @inline(__always) func index(_ i: Int) -> Int {
      switch self {
      case .identity: i
      case .scalar: 0
      case .cyclic(let count): i % count
      case .explicit(let map): map[i]
      }
    }
  }

  /// The broadcast shape of two shapes; equal shapes and a trailing block need no work.
  static func shape(_ a: [Int], _ b: [Int], _ label: String) throws(OnnxError) -> [Int] {
    if a == b { return a }
    if b.count <= a.count, isTrailingBlock(b, of: a) { return a }
    return try shape([a, b], label)
  }

  /// Whether `shape`, without leading 1s, equals the end of `output`.
  private static func isTrailingBlock(_ shape: [Int], of output: [Int]) -> Bool {
    var start = 0
    while start < shape.count && shape[start] == 1 { start += 1 }
    let length = shape.count - start
    guard length <= output.count else { return false }
    let offset = output.count - length
    for i in 0..<length where shape[start + i] != output[offset + i] { return false }
    return true
  }

  /// The broadcast shape of `shapes`, or a runtime failure naming `label`.
  static func shape(_ shapes: [[Int]], _ label: String) throws(OnnxError) -> [Int] {
    let rank = shapes.map(\.count).max() ?? 0
    var result = [Int](repeating: 1, count: rank)
    for shape in shapes {
      let pad = rank - shape.count
      for (axis, dim) in shape.enumerated() {
        let current = result[pad + axis]
        if current == 1 {
          result[pad + axis] = dim
        } else if dim != 1 && dim != current {
          throw OnnxError(
            .runtimeFailure,
            "\(label): shapes \(shapes.map { "\($0)" }.joined(separator: " and ")) cannot be broadcast"
          )
        }
      }
    }
    guard let count = Tensor.elementCount(of: result), count <= maxElements else {
      throw OnnxError(.runtimeFailure, "\(label): broadcast result \(result) is too large")
    }
    return result
  }

  /// How to index an input of `shape` for an output of `output` shape.
  static func pattern(_ shape: [Int], output: [Int]) -> Pattern {
    if shape == output { return .identity }
    let count = shape.reduce(1, *)
    if count == 1 { return .scalar }
    if isTrailingBlock(shape, of: output) { return .cyclic(count) }
    let rank = output.count
    let padded = [Int](repeating: 1, count: rank - shape.count) + shape
    var strides = [Int](repeating: 0, count: rank)
    var step = 1
    for axis in stride(from: rank - 1, through: 0, by: -1) {
      strides[axis] = padded[axis] == 1 ? 0 : step
      step *= padded[axis]
    }
    let total = output.reduce(1, *)
    var map = [Int](repeating: 0, count: total)
    var counter = [Int](repeating: 0, count: rank)
    var offset = 0
    for i in 0..<total {
      map[i] = offset
      var axis = rank - 1
      while axis >= 0 {
        counter[axis] += 1
        offset += strides[axis]
        if counter[axis] < output[axis] { break }
        offset -= strides[axis] * counter[axis]
        counter[axis] = 0
        axis -= 1
      }
    }
    return .explicit(map)
  }
}
