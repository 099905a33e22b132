import Foundation
import Testing

@testable import OnnxInference

@Suite("Packed FP32 matrix products")
struct PackedGemmTests {
  /// `x[m×k] · w[k×n]` summed in order over k, as the kernels do.
  private func reference(_ x: [Float], _ w: [Float], m: Int, k: Int, n: Int) -> [Float] {
    var out = [Float](repeating: 0, count: m * n)
    for i in 0..<m {
      for j in 0..<n {
        var sum: Float = 0
        for p in 0..<k { sum += x[i * k + p] * w[p * n + j] }
        out[i * n + j] = sum
      }
    }
    return out
  }

  private func values(_ count: Int, seed: Int) -> [Float] {
    (0..<count).map { Float((($0 + seed) * 37) % 23) / 8 - 1.3 }
  }

  @Test(
    "MatMul by a constant matrix matches the plain product for every shape",
    arguments: [(1, 1, 1), (7, 5, 11), (9, 13, 64), (5, 32, 3), (4, 8, 8), (33, 3, 17)]
  )
  func matMulByConstant(m: Int, k: Int, n: Int) throws {
    let w = values(k * n, seed: 1)
    let model = B.model(
      nodes: [B.node("MatMul", ["X", "W"], ["Y"])],
      inputs: [B.value("X", B.float, [nil, Int64(k)])],
      outputs: [B.value("Y", B.float, [nil, Int64(n)])],
      initializers: [B.initializer("W", floats: w, dims: [Int64(k), Int64(n)])]
    )
    let session = try InferenceSession(bytes: B.bytes(model))
    let x = values(m * k, seed: 2)
    let result = try session.run([try Tensor(shape: [m, k], storage: .float(x))])
    #expect(result == [try Tensor(shape: [m, n], storage: .float(reference(x, w, m: m, k: k, n: n)))])
  }

  @Test("Gemm with a constant transposed B and a bias matches the plain product")
  func gemmTransposed() throws {
    let (m, k, n) = (6, 4, 10)
    let w = values(k * n, seed: 3)
    var transposed = [Float](repeating: 0, count: k * n)
    for p in 0..<k { for j in 0..<n { transposed[j * k + p] = w[p * n + j] } }
    let bias = values(n, seed: 4)
    let model = B.model(
      nodes: [B.node("Gemm", ["X", "Wt", "C"], ["Y"], [B.attr("transB", int: 1)])],
      inputs: [B.value("X", B.float, [nil, Int64(k)])],
      outputs: [B.value("Y", B.float, [nil, Int64(n)])],
      initializers: [
        B.initializer("Wt", floats: transposed, dims: [Int64(n), Int64(k)]),
        B.initializer("C", floats: bias, dims: [Int64(n)]),
      ]
    )
    let session = try InferenceSession(bytes: B.bytes(model))
    let x = values(m * k, seed: 5)
    var expected = reference(x, w, m: m, k: k, n: n)
    for i in expected.indices { expected[i] += bias[i % n] }
    let result = try session.run([try Tensor(shape: [m, k], storage: .float(x))])
    #expect(result == [try Tensor(shape: [m, n], storage: .float(expected))])
  }
}
