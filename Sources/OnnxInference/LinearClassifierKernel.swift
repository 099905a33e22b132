/// Runs a compiled LinearClassifier.
struct LinearClassifierKernel: Kernel {
  let label: String
  let input: Int
  let outputs: [Int]
  let weights: [Float]
  let intercepts: [Float]
  let features: Int
  let rows: Int
  let labels: LinearOperators.Labels
  let transform: PostTransform

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let (tensor, x) = try values.floats(at: input, node: label)
    let count = try LinearOperators.rows(of: tensor, features: features, label: label)
    let columns = rows == 1 ? 2 : rows
    var indices = [Int](repeating: 0, count: count)
    let scores = [Float](unsafeUninitializedCapacity: count * columns) { out, initialized in
      x.withUnsafeBufferPointer { x in
        weights.withUnsafeBufferPointer { w in
          intercepts.withUnsafeBufferPointer { b in
            LinearOperators.affine(
              x,
              count: count,
              weights: w,
              intercepts: b,
              features: features,
              columns: rows,
              into: out,
              stride: columns
            )
          }
        }
      }
      for row in 0..<count {
        let base = row * columns
        if rows == 1 {
          let z = out[base]
          indices[row] = z > 0 ? 1 : 0
          let positive = transform == .logistic ? PostTransform.logistic(z) : z
          out[base] = 1 - positive
          out[base + 1] = positive
          if transform != .logistic && transform != .none {
            transform.apply(UnsafeMutableBufferPointer(rebasing: out[base..<base + columns]))
          }
        } else {
          var best = 0
          for column in 1..<columns where out[base + column] > out[base + best] { best = column }
          indices[row] = best
          transform.apply(UnsafeMutableBufferPointer(rebasing: out[base..<base + columns]))
        }
      }
      initialized = count * columns
    }
    values[outputs[0]] = labels.tensor(indices: indices)
    if outputs.count > 1 {
      values[outputs[1]] = Tensor(validShape: [count, columns], storage: .float(scores))
    }
  }
}

/// Runs a compiled LinearRegressor.
struct LinearRegressorKernel: Kernel {
  let label: String
  let input: Int
  let output: Int
  let weights: [Float]
  let intercepts: [Float]
  let features: Int
  let targets: Int
  let transform: PostTransform

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let (tensor, x) = try values.floats(at: input, node: label)
    let count = try LinearOperators.rows(of: tensor, features: features, label: label)
    let result = [Float](unsafeUninitializedCapacity: count * targets) { out, initialized in
      x.withUnsafeBufferPointer { x in
        weights.withUnsafeBufferPointer { w in
          intercepts.withUnsafeBufferPointer { b in
            LinearOperators.affine(
              x,
              count: count,
              weights: w,
              intercepts: b,
              features: features,
              columns: targets,
              into: out,
              stride: targets
            )
          }
        }
      }
      if transform != .none {
        for row in 0..<count {
          transform.apply(UnsafeMutableBufferPointer(rebasing: out[row * targets..<(row + 1) * targets]))
        }
      }
      initialized = count * targets
    }
    values[output] = Tensor(validShape: [count, targets], storage: .float(result))
  }
}
