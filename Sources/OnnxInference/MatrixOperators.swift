/// Builders for MatMul and Gemm (FP32 and FP64).
enum MatrixOperators {
  /// MatMul of a `[N, K]` (or `[K]`) tensor by a `[K, M]` (or `[K]`) tensor.
  @Sendable static func matMul(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 2...2, outputs: 1...1)
    let a = try context.type(0, in: [.float, .double])
    let b = try context.type(1, in: [.float, .double])
    guard a.dataType == b.dataType else { throw context.error("inputs have different types") }
    if let rank = a.rank, rank > 2 {
      throw context.error("supports inputs of rank 1 or 2 only, A has rank \(rank)")
    }
    if let rank = b.rank, rank > 2 {
      throw context.error("supports inputs of rank 1 or 2 only, B has rank \(rank)")
    }
    var shape: [Int?]? = nil
    if let sa = a.shape, let sb = b.shape {
      shape = (sa.count == 2 ? [sa[0]] : []) + (sb.count == 2 ? [sb[1]] : [])
    }
    let kernel = GemmKernel(
      label: context.label,
      a: try context.slot(0),
      b: try context.slot(1),
      c: nil,
      output: context.outputSlots[0],
      transA: false,
      transB: false,
      alpha: 1,
      beta: 1,
      isMatMul: true,
      packed: packedWeights(context, transposed: false)
    )
    return NodeBuild(kernel: kernel, outputTypes: [ValueType(dataType: a.dataType, shape: shape)])
  }

  /// Gemm: `alpha · op(A) · op(B) + beta · C`.
  @Sendable static func gemm(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 2...3, outputs: 1...1)
    let a = try context.type(0, in: [.float, .double])
    let b = try context.type(1, in: [.float, .double])
    guard a.dataType == b.dataType else { throw context.error("inputs have different types") }
    var c: Int? = nil
    if context.inputSlots.count == 3, let slot = context.inputSlots[2] {
      guard try context.type(2).dataType == a.dataType else { throw context.error("C has a different type") }
      c = slot
    }
    let attributes = context.attributes
    let kernel = GemmKernel(
      label: context.label,
      a: try context.slot(0),
      b: try context.slot(1),
      c: c,
      output: context.outputSlots[0],
      transA: try attributes.int("transA", default: 0) != 0,
      transB: try attributes.int("transB", default: 0) != 0,
      alpha: Double(try attributes.float("alpha", default: 1)),
      beta: Double(try attributes.float("beta", default: 1)),
      isMatMul: false,
      packed: packedWeights(context, transposed: try attributes.int("transB", default: 0) != 0)
    )
    return NodeBuild(kernel: kernel, outputTypes: [ValueType(dataType: a.dataType, shape: [nil, nil])])
  }

  /// B packed for the SIMD kernel when it is a constant FP32 matrix, else nil.
  private static func packedWeights(_ context: NodeContext, transposed: Bool) -> FloatGemm.PackedWeights? {
    guard context.constants.count > 1, let b = context.constants[1], b.shape.count == 2,
      case .float(let w) = b.storage, !w.isEmpty
    else { return nil }
    let (k, n) = transposed ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    return FloatGemm.PackedWeights(w, k: k, n: n, transposed: transposed)
  }
}

/// Runs a compiled MatMul or Gemm.
struct GemmKernel: Kernel {
  let label: String
  let a: Int
  let b: Int
  let c: Int?
  let output: Int
  let transA: Bool
  let transB: Bool
  let alpha: Double
  let beta: Double
  let isMatMul: Bool
  /// B packed at load when it is a constant FP32 matrix.
  let packed: FloatGemm.PackedWeights?

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let left = values[a]
    let right = values[b]
    let bias = c.map { values[$0] }
    guard left.shape.count >= 1, left.shape.count <= 2, right.shape.count >= 1, right.shape.count <= 2 else {
      throw OnnxError(
        .runtimeFailure,
        "\(label): supports rank 1 or 2 inputs, got \(left.shape) and \(right.shape)"
      )
    }
    let aShape = left.shape.count == 2 ? left.shape : [1, left.shape[0]]
    let bShape = right.shape.count == 2 ? right.shape : [right.shape[0], 1]
    let (m, k) = transA ? (aShape[1], aShape[0]) : (aShape[0], aShape[1])
    let (k2, n) = transB ? (bShape[1], bShape[0]) : (bShape[0], bShape[1])
    guard k == k2 else {
      throw OnnxError(.runtimeFailure, "\(label): shapes \(left.shape) and \(right.shape) do not multiply")
    }
    guard let (count, overflow) = Optional(m.multipliedReportingOverflow(by: n)), !overflow,
      count <= Broadcasting.maxElements
    else {
      throw OnnxError(.runtimeFailure, "\(label): result [\(m), \(n)] is too large")
    }
    var shape = values.reusableShape(output)
    switch (isMatMul ? left.shape.count : 2, isMatMul ? right.shape.count : 2) {
    case (2, 2): shape.append(m); shape.append(n)
    case (2, _): shape.append(m)
    case (_, 2): shape.append(n)
    default: break
    }
    switch (left.storage, right.storage) {
    case (.float(let x), .float(let y)):
      var result = values.reusableFloats(output, count: count)
      try multiply(
        x,
        y,
        m: m,
        k: k,
        n: n,
        bias: bias?.storage.array(of: Float.self),
        biasShape: bias?.shape,
        into: &result
      )
      values[output] = Tensor(validShape: shape, storage: .float(result))
    case (.double(let x), .double(let y)):
      var result = [Double](repeating: 0, count: count)
      try multiply(
        x,
        y,
        m: m,
        k: k,
        n: n,
        bias: bias?.storage.array(of: Double.self),
        biasShape: bias?.shape,
        into: &result
      )
      values[output] = Tensor(validShape: shape, storage: .double(result))
    default:
      throw OnnxError(.runtimeFailure, "\(label): expects FP32 or FP64 inputs of one type")
    }
  }

  /// `result = alpha · x·y + beta · bias`; `result` has m·n elements of any value on entry.
  private func multiply<T: BinaryFloatingPoint>(
    _ x: [T],
    _ y: [T],
    m: Int,
    k: Int,
    n: Int,
    bias: [T]?,
    biasShape: [Int]?,
    into result: inout [T]
  ) throws(OnnxError) {
    if T.self == Float.self, !transA, let packed, packed.k == k, packed.n == n, m > 0, k > 0 {
      result.withUnsafeMutableBufferPointer { out in
        x.withUnsafeBufferPointer { x in
          x.withMemoryRebound(to: Float.self) { x in
            out.withMemoryRebound(to: Float.self) { out in
              FloatGemm.multiply(x.baseAddress!, packed: packed, into: out.baseAddress!, m: m)
            }
          }
        }
      }
    } else if T.self == Float.self, !transA, !transB, m > 0, k > 0, n > 0 {
      result.withUnsafeMutableBufferPointer { out in
        x.withUnsafeBufferPointer { x in
          y.withUnsafeBufferPointer { y in
            x.withMemoryRebound(to: Float.self) { x in
              y.withMemoryRebound(to: Float.self) { y in
                out.withMemoryRebound(to: Float.self) { out in
                  FloatGemm.multiply(x.baseAddress!, y.baseAddress!, into: out.baseAddress!, m: m, k: k, n: n)
                }
              }
            }
          }
        }
      }
    } else {
      for i in result.indices { result[i] = 0 }
      multiplyGeneric(x, y, into: &result, m: m, k: k, n: n)
    }
    if alpha != 1 {
      let factor = T(alpha)
      for i in result.indices { result[i] *= factor }
    }
    if let bias, let biasShape, beta != 0 {
      let shape = try Broadcasting.shape([[m, n], biasShape], label)
      guard shape == [m, n] else {
        throw OnnxError(
          .runtimeFailure,
          "\(label): C of shape \(biasShape) does not broadcast to [\(m), \(n)]"
        )
      }
      let pattern = Broadcasting.pattern(biasShape, output: [m, n])
      let factor = T(beta)
      for i in result.indices { result[i] += factor * bias[pattern.index(i)] }
    }
  }

  private func multiplyGeneric<T: BinaryFloatingPoint>(
    _ x: [T],
    _ y: [T],
    into result: inout [T],
    m: Int,
    k: Int,
    n: Int
  ) {
    result.withUnsafeMutableBufferPointer { out in
      x.withUnsafeBufferPointer { x in
        y.withUnsafeBufferPointer { y in
          for i in 0..<m {
            let row = i * n
            for p in 0..<k {
              let av = transA ? x[p * m + i] : x[i * k + p]
              if transB {
                for j in 0..<n { out[row + j] += av * y[j * k + p] }
              } else {
                let base = p * n
                for j in 0..<n { out[row + j] += av * y[base + j] }
              }
            }
          }
        }
      }
    }
  }
}
