/// Runs a compiled Add, Sub, Mul or Div with broadcasting.
struct BinaryKernel: Kernel {
  enum Op { case add, sub, mul, div }
  let label: String
  let a: Int
  let b: Int
  let output: Int
  let op: Op
  /// Whether A's buffer may be overwritten (its last use).
  let consume: Bool

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    var left = values.read(a, consume: consume, into: output)
    let right = values[b]
    let shape = try Broadcasting.shape(left.shape, right.shape, label)
    if consume, left.shape == shape, left.dataType == .float, case .float(let y) = right.storage {
      var x = left.takeFloats()!
      inPlace(&x, y, Broadcasting.pattern(right.shape, output: shape))
      values[output] = Tensor(validShape: shape, storage: .float(x))
      return
    }
    let storage: Tensor.Storage
    switch (left.storage, right.storage) {
    case (.float(let x), .float(let y)):
      storage = .float(Self.apply(x, left.shape, y, right.shape, shape, floating(Float.self)))
    case (.double(let x), .double(let y)):
      storage = .double(Self.apply(x, left.shape, y, right.shape, shape, floating(Double.self)))
    case (.int64(let x), .int64(let y)):
      storage = .int64(try integers(x, left.shape, y, right.shape, shape))
    case (.int32(let x), .int32(let y)):
      storage = .int32(try integers(x, left.shape, y, right.shape, shape))
    default:
      throw OnnxError(
        .runtimeFailure,
        "\(label): unsupported input types \(left.dataType.rawValue), \(right.dataType.rawValue)"
      )
    }
    values[output] = Tensor(validShape: shape, storage: storage)
  }

  /// `x = x op y` for FP32, `y` broadcast by `pattern`.
  private func inPlace(_ x: inout [Float], _ y: [Float], _ pattern: Broadcasting.Pattern) {
    switch op {
    case .add: Self.inPlace(&x, y, pattern, +)
    case .sub: Self.inPlace(&x, y, pattern, -)
    case .mul: Self.inPlace(&x, y, pattern, *)
    case .div: Self.inPlace(&x, y, pattern, /)
    }
  }

  @inline(__always)
  private static func inPlace(
    _ x: inout [Float],
    _ y: [Float],
    _ pattern: Broadcasting.Pattern,
    _ f: (Float, Float) -> Float
  ) {
    let count = x.count
    x.withUnsafeMutableBufferPointer { x in
      y.withUnsafeBufferPointer { y in
        switch pattern {
        case .identity: for i in 0..<count { x[i] = f(x[i], y[i]) }
        case .scalar: for i in 0..<count { x[i] = f(x[i], y[0]) }
        case .cyclic(let block):
          var i = 0
          while i < count {
            for j in 0..<block { x[i &+ j] = f(x[i &+ j], y[j]) }
            i &+= block
          }
        case .explicit(let map): for i in 0..<count { x[i] = f(x[i], y[map[i]]) }
        }
      }
    }
  }

  private func floating<T: FloatingPoint>(_ type: T.Type) -> (T, T) -> T {
    switch op {
    case .add: { $0 + $1 }
    case .sub: { $0 - $1 }
    case .mul: { $0 * $1 }
    case .div: { $0 / $1 }
    }
  }

  private func integers<T: FixedWidthInteger>(
    _ x: [T],
    _ xShape: [Int],
    _ y: [T],
    _ yShape: [Int],
    _ shape: [Int]
  ) throws(OnnxError) -> [T] {
    if op == .div {
      guard !y.contains(0) else { throw OnnxError(.runtimeFailure, "\(label): integer division by zero") }
    }
    return Self.apply(x, xShape, y, yShape, shape) { (l: T, r: T) -> T in
      switch op {
      case .add: l &+ r
      case .sub: l &- r
      case .mul: l &* r
      case .div: l.dividedReportingOverflow(by: r).partialValue
      }
    }
  }

  /// Applies `f` elementwise with broadcasting; fast paths for equal shapes and trailing blocks.
  static func apply<T>(
    _ x: [T],
    _ xShape: [Int],
    _ y: [T],
    _ yShape: [Int],
    _ shape: [Int],
    _ f: (T, T) -> T
  ) -> [T] {
    let count = shape.reduce(1, *)
    let px = Broadcasting.pattern(xShape, output: shape)
    let py = Broadcasting.pattern(yShape, output: shape)
    return [T](unsafeUninitializedCapacity: count) { out, initialized in
      x.withUnsafeBufferPointer { x in
        y.withUnsafeBufferPointer { y in
          switch (px, py) {
          case (.identity, .identity):
            for i in 0..<count { out.initializeElement(at: i, to: f(x[i], y[i])) }
          case (.identity, .scalar):
            let v = y[0]
            for i in 0..<count { out.initializeElement(at: i, to: f(x[i], v)) }
          case (.identity, .cyclic(let block)):
            var i = 0
            while i < count {
              for j in 0..<block { out.initializeElement(at: i + j, to: f(x[i + j], y[j])) }
              i += block
            }
          default:
            for i in 0..<count { out.initializeElement(at: i, to: f(x[px.index(i)], y[py.index(i)])) }
          }
        }
      }
      initialized = count
    }
  }
}

/// Runs a compiled Where.
struct WhereKernel: Kernel {
  let label: String
  let condition: Int
  let x: Int
  let y: Int
  let output: Int

  private struct Select: StorageTransform {
    let condition: [Bool]
    let other: Tensor.Storage
    let patterns: (Broadcasting.Pattern, Broadcasting.Pattern, Broadcasting.Pattern)
    let count: Int

    func apply<T: Sendable>(_ values: [T]) throws(OnnxError) -> [T] {
      guard let other = other.array(of: T.self) else {
        throw OnnxError(.runtimeFailure, "Where: X and Y have different element types")
      }
      var result: [T] = []
      result.reserveCapacity(count)
      for i in 0..<count {
        let chosen = condition[patterns.0.index(i)]
        result.append(chosen ? values[patterns.1.index(i)] : other[patterns.2.index(i)])
      }
      return result
    }
  }

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let cond = values[condition]
    let left = values[x]
    let right = values[y]
    guard case .bool(let flags) = cond.storage else {
      throw OnnxError(.runtimeFailure, "\(label): condition must be BOOL")
    }
    let shape = try Broadcasting.shape([cond.shape, left.shape, right.shape], label)
    let select = Select(
      condition: flags,
      other: right.storage,
      patterns: (
        Broadcasting.pattern(cond.shape, output: shape),
        Broadcasting.pattern(left.shape, output: shape),
        Broadcasting.pattern(right.shape, output: shape)
      ),
      count: shape.reduce(1, *)
    )
    values[output] = Tensor(validShape: shape, storage: try left.storage.transformed(select))
  }
}
