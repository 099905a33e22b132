/// A register-blocked FP32 matrix product, `out = x · w` (row-major, no transposes): four rows
/// share each load of eight `w` columns, which the compiler keeps in SIMD registers.
enum FloatGemm {
  /// Writes `x[m×k] · w[k×n]` into `out[m×n]`, splitting large products across cores.
  static func multiply(
    _ x: UnsafePointer<Float>,
    _ w: UnsafePointer<Float>,
    into out: UnsafeMutablePointer<Float>,
    m: Int,
    k: Int,
    n: Int
  ) {
    let shared = (SharedPointer(base: x), SharedPointer(base: w), SharedPointer(base: out))
    ParallelRows.run(rows: m, work: m * k * n / 4) { range in
      block(shared.0.base, shared.1.base, shared.2.base, rows: range, k: k, n: n)
    }
  }

  /// A constant weight matrix `w[k×n]` laid out once, at load, for `multiply(_:packed:…)`: panels
  /// of eight columns, each panel `k` rows of eight contiguous floats, the last one zero-padded. The
  /// kernel then reads the weights sequentially and needs no scalar loop for the last columns.
  struct PackedWeights: Sendable {
    /// The inner dimension.
    let k: Int
    /// The number of columns.
    let n: Int
    /// `ceil(n / 8)` panels of `k × 8` floats.
    let panels: [Float]

    /// Packs `w`, read as `[k, n]`, or as `[n, k]` when `transposed` (Gemm's `transB`).
    init(_ w: [Float], k: Int, n: Int, transposed: Bool) {
      self.k = k
      self.n = n
      let blocks = (n + 7) / 8
      var panels = [Float](repeating: 0, count: blocks * k * 8)
      for block in 0..<blocks {
        for p in 0..<k {
          for lane in 0..<8 where block * 8 + lane < n {
            let j = block * 8 + lane
            panels[(block * k + p) * 8 + lane] = transposed ? w[j * k + p] : w[p * n + j]
          }
        }
      }
      self.panels = panels
    }
  }

  /// Writes `x[m×k] · w` into `out[m×n]` for packed weights, splitting large products across cores.
  /// Each output is summed over `p` in order, exactly as `multiply(_:_:into:m:k:n:)` does.
  static func multiply(
    _ x: UnsafePointer<Float>,
    packed: PackedWeights,
    into out: UnsafeMutablePointer<Float>,
    m: Int
  ) {
    packed.panels.withUnsafeBufferPointer { panels in
      let shared = (
        SharedPointer(base: x), SharedPointer(base: panels.baseAddress!), SharedPointer(base: out)
      )
      let (k, n) = (packed.k, packed.n)
      ParallelRows.run(rows: m, work: m * k * n / 4) { range in
        packedBlock(shared.0.base, shared.1.base, shared.2.base, rows: range, k: k, n: n)
      }
    }
  }

  private static func packedBlock(
    _ x: UnsafePointer<Float>,
    _ panels: UnsafePointer<Float>,
    _ out: UnsafeMutablePointer<Float>,
    rows: Range<Int>,
    k: Int,
    n: Int
  ) {
    let blocks = (n + 7) / 8
    var i = rows.lowerBound
    while i + 4 <= rows.upperBound {
      let x0 = x + i * k
      let x1 = x0 + k
      let x2 = x1 + k
      let x3 = x2 + k
      for block in 0..<blocks {
        let panel = panels + block * k * 8
        var a0 = SIMD8<Float>()
        var a1 = SIMD8<Float>()
        var a2 = SIMD8<Float>()
        var a3 = SIMD8<Float>()
        for p in 0..<k {
          let v = load(panel + p * 8)
          a0 += x0[p] * v
          a1 += x1[p] * v
          a2 += x2[p] * v
          a3 += x3[p] * v
        }
        let j = block * 8
        let width = min(8, n - j)
        store(a0, out + i * n + j, width: width)
        store(a1, out + (i + 1) * n + j, width: width)
        store(a2, out + (i + 2) * n + j, width: width)
        store(a3, out + (i + 3) * n + j, width: width)
      }
      i += 4
    }
    while i < rows.upperBound {
      let row = x + i * k
      for block in 0..<blocks {
        let panel = panels + block * k * 8
        var a = SIMD8<Float>()
        for p in 0..<k { a += row[p] * load(panel + p * 8) }
        let j = block * 8
        store(a, out + i * n + j, width: min(8, n - j))
      }
      i += 1
    }
  }

  /// Stores the first `width` lanes of `value`.
  @inline(__always)
  private static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>, width: Int) {
    if width == 8 {
      store(value, pointer)
    } else {
      for lane in 0..<width { pointer[lane] = value[lane] }
    }
  }

  private static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
  }

  private static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
  }

  private static func block(
    _ x: UnsafePointer<Float>,
    _ w: UnsafePointer<Float>,
    _ out: UnsafeMutablePointer<Float>,
    rows: Range<Int>,
    k: Int,
    n: Int
  ) {
    let wide = n / 8 * 8
    var i = rows.lowerBound
    while i + 4 <= rows.upperBound {
      let x0 = x + i * k
      let x1 = x0 + k
      let x2 = x1 + k
      let x3 = x2 + k
      var j = 0
      while j < wide {
        var a0 = SIMD8<Float>()
        var a1 = SIMD8<Float>()
        var a2 = SIMD8<Float>()
        var a3 = SIMD8<Float>()
        for p in 0..<k {
          let v = load(w + p * n + j)
          a0 += x0[p] * v
          a1 += x1[p] * v
          a2 += x2[p] * v
          a3 += x3[p] * v
        }
        store(a0, out + i * n + j)
        store(a1, out + (i + 1) * n + j)
        store(a2, out + (i + 2) * n + j)
        store(a3, out + (i + 3) * n + j)
        j += 8
      }
      for r in i..<i + 4 { tail(x + r * k, w, out + r * n, from: wide, k: k, n: n) }
      i += 4
    }
    while i < rows.upperBound {
      let row = x + i * k
      var j = 0
      while j < wide {
        var a = SIMD8<Float>()
        for p in 0..<k { a += row[p] * load(w + p * n + j) }
        store(a, out + i * n + j)
        j += 8
      }
      tail(row, w, out + i * n, from: wide, k: k, n: n)
      i += 1
    }
  }

  /// The columns past the last multiple of eight, one at a time.
  private static func tail(
    _ row: UnsafePointer<Float>,
    _ w: UnsafePointer<Float>,
    _ out: UnsafeMutablePointer<Float>,
    from start: Int,
    k: Int,
    n: Int
  ) {
    for j in start..<n {
      var sum: Float = 0
      for p in 0..<k { sum += row[p] * w[p * n + j] }
      out[j] = sum
    }
  }
}
