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
    var indices = values.reusableInt64s(outputs[0], count: count)
    var scores =
      outputs.count > 1
      ? values.reusableFloats(outputs[1], count: count * columns)
      : [Float](repeating: 0, count: count * columns)
    scores.withUnsafeMutableBufferPointer { out in
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
          indices[row] = Int64(best)
          transform.apply(UnsafeMutableBufferPointer(rebasing: out[base..<base + columns]))
        }
      }
    }
    labels.store(indices: &indices, in: &values, slot: outputs[0])
    if outputs.count > 1 {
      var shape = values.reusableShape(outputs[1])
      shape.append(count)
      shape.append(columns)
      values[outputs[1]] = Tensor(validShape: shape, storage: .float(scores))
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
    var result = values.reusableFloats(output, count: count * targets)
    result.withUnsafeMutableBufferPointer { out in
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
    }
    var shape = values.reusableShape(output)
    shape.append(count)
    shape.append(targets)
    values[output] = Tensor(validShape: shape, storage: .float(result))
  }
}
