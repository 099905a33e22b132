import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a compiled SVMClassifier (libsvm one-vs-one form, as skl2onnx exports SVC).
struct SVMClassifierKernel: Kernel {
  let label: String
  let input: Int
  let outputs: [Int]
  let function: SVMKernelFunction
  let supportVectors: [Double]
  let features: Int
  let coefficients: [Double]
  let starts: [Int]
  let counts: [Int]
  let rho: [Double]
  let probA: [Double]
  let probB: [Double]
  let labels: LinearOperators.Labels
  let transform: PostTransform

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let (tensor, floats) = try values.floats(at: input, node: label)
    let rows = try LinearOperators.rows(of: tensor, features: features, label: label)
    let x = floats.map(Double.init)
    let classes = labels.count
    let pairs = rho.count
    let vectorCount = supportVectors.count / features
    let columns = probA.isEmpty ? (classes == 2 ? 2 : pairs) : classes
    var indices = [Int](repeating: 0, count: rows)
    var scores = [Float](repeating: 0, count: rows * columns)
    var kernels = [Double](repeating: 0, count: vectorCount)
    var decisions = [Double](repeating: 0, count: pairs)
    var votes = [Int](repeating: 0, count: classes)
    x.withUnsafeBufferPointer { x in
      supportVectors.withUnsafeBufferPointer { sv in
        for row in 0..<rows {
          let point = x.baseAddress! + row * features
          for v in 0..<vectorCount { kernels[v] = function(point, sv.baseAddress! + v * features, features) }
          for k in votes.indices { votes[k] = 0 }
          var pair = 0
          for i in 0..<classes {
            for j in (i + 1)..<max(classes, i + 1) {
              var sum = rho[pair]
              for m in 0..<counts[i] {
                sum += coefficients[(j - 1) * vectorCount + starts[i] + m] * kernels[starts[i] + m]
              }
              for m in 0..<counts[j] {
                sum += coefficients[i * vectorCount + starts[j] + m] * kernels[starts[j] + m]
              }
              decisions[pair] = sum
              votes[sum > 0 ? i : j] += 1
              pair += 1
            }
          }
          var best = 0
          for k in votes.indices where votes[k] > votes[best] { best = k }
          indices[row] = best
          let base = row * columns
          if !probA.isEmpty {
            let probabilities = coupledProbabilities(decisions)
            for k in 0..<classes { scores[base + k] = Float(probabilities[k]) }
          } else if classes == 2 {
            scores[base] = Float(-decisions[0])
            scores[base + 1] = Float(decisions[0])
          } else {
            for k in 0..<pairs { scores[base + k] = Float(decisions[k]) }
          }
          if transform != .none {
            scores.withUnsafeMutableBufferPointer { buffer in
              transform.apply(UnsafeMutableBufferPointer(rebasing: buffer[base..<base + columns]))
            }
          }
        }
      }
    }
    values[outputs[0]] = labels.tensor(indices: indices)
    if outputs.count > 1 {
      values[outputs[1]] = Tensor(validShape: [rows, columns], storage: .float(scores))
    }
  }

  /// Class probabilities from pairwise Platt-scaled decisions (Wu, Lin & Weng's coupling, as libsvm).
  private func coupledProbabilities(_ decisions: [Double]) -> [Double] {
    let k = labels.count
    var r = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
    var pair = 0
    for i in 0..<k {
      for j in (i + 1)..<max(k, i + 1) {
        let fApB = decisions[pair] * probA[pair] + probB[pair]
        let sigmoid = fApB >= 0 ? exp(-fApB) / (1 + exp(-fApB)) : 1 / (1 + exp(fApB))
        let p = min(max(sigmoid, 1e-7), 1 - 1e-7)
        r[i][j] = p
        r[j][i] = 1 - p
        pair += 1
      }
    }
    var q = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
    var p = [Double](repeating: 1 / Double(k), count: k)
    for t in 0..<k {
      for j in 0..<t {
        q[t][t] += r[j][t] * r[j][t]
        q[t][j] = q[j][t]
      }
      for j in (t + 1)..<max(k, t + 1) {
        q[t][t] += r[j][t] * r[j][t]
        q[t][j] = -r[j][t] * r[t][j]
      }
    }
    var qp = [Double](repeating: 0, count: k)
    let epsilon = 0.005 / Double(k)
    for _ in 0..<max(100, k) {
      var pqp = 0.0
      for t in 0..<k {
        qp[t] = 0
        for j in 0..<k { qp[t] += q[t][j] * p[j] }
        pqp += p[t] * qp[t]
      }
      var maxError = 0.0
      for t in 0..<k { maxError = max(maxError, abs(qp[t] - pqp)) }
      if maxError < epsilon { break }
      for t in 0..<k {
        guard q[t][t] != 0 else { continue }
        let diff = (-qp[t] + pqp) / q[t][t]
        p[t] += diff
        pqp = (pqp + diff * (diff * q[t][t] + 2 * qp[t])) / (1 + diff) / (1 + diff)
        for j in 0..<k {
          qp[j] = (qp[j] + diff * q[t][j]) / (1 + diff)
          p[j] /= (1 + diff)
        }
      }
    }
    return p
  }
}

/// Runs a compiled SVMRegressor.
struct SVMRegressorKernel: Kernel {
  let label: String
  let input: Int
  let output: Int
  let function: SVMKernelFunction
  let supportVectors: [Double]
  let coefficients: [Double]
  let supports: Int
  let features: Int
  let rho: Double
  let oneClass: Bool
  let transform: PostTransform

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let (tensor, floats) = try values.floats(at: input, node: label)
    let rows = try LinearOperators.rows(of: tensor, features: features, label: label)
    let x = floats.map(Double.init)
    var result = [Float](repeating: 0, count: rows)
    x.withUnsafeBufferPointer { x in
      supportVectors.withUnsafeBufferPointer { sv in
        coefficients.withUnsafeBufferPointer { coef in
          for row in 0..<rows {
            let point = x.baseAddress! + row * features
            var sum = rho
            if supports > 0 {
              for v in 0..<supports {
                sum += coef[v] * function(point, sv.baseAddress! + v * features, features)
              }
            } else {
              sum += function(point, coef.baseAddress!, features)
            }
            if oneClass { sum = sum > 0 ? 1 : -1 }
            result[row] = Float(sum)
          }
        }
      }
    }
    if transform != .none {
      result.withUnsafeMutableBufferPointer { transform.apply($0) }
    }
    values[output] = Tensor(validShape: [rows, 1], storage: .float(result))
  }
}
