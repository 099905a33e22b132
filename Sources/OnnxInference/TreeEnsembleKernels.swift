/// Reads a tree ensemble's input as rows of floats, checking the column count.
private func treeInput(
  _ values: [Tensor],
  _ slot: Int,
  _ ensemble: TreeEnsemble,
  _ label: String
) throws(OnnxError) -> (rows: Int, cols: Int, data: [Float]) {
  let (tensor, data) = try values.floats(at: slot, node: label)
  let (rows, cols) = tensor.matrixShape
  guard tensor.shape.count <= 2, cols >= max(ensemble.featureCount, 1) else {
    throw OnnxError(
      .runtimeFailure,
      "\(label): expects [N, \(ensemble.featureCount)] input (at least), got \(tensor.shape)"
    )
  }
  return (rows, cols, data)
}

/// Runs a compiled TreeEnsembleClassifier.
struct TreeEnsembleClassifierKernel: Kernel {
  let label: String
  let input: Int
  let outputs: [Int]
  let ensemble: TreeEnsemble
  let labels: LinearOperators.Labels
  let baseValues: [Float]
  let transform: PostTransform
  /// The single class id carrying weights in skl2onnx's binary form, else nil.
  let binaryClass: Int?
  let weightsArePositive: Bool

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let (rows, cols, data) = try treeInput(values, input, ensemble, label)
    let classes = labels.count
    guard rows > 0 else {
      values[outputs[0]] = labels.tensor(indices: [])
      if outputs.count > 1 { values[outputs[1]] = Tensor(validShape: [0, classes], storage: .float([])) }
      return
    }
    var indices = values.reusableInt64s(outputs[0], count: rows)
    var scores =
      outputs.count > 1
      ? values.reusableFloats(outputs[1], count: rows * classes)
      : [Float](repeating: 0, count: rows * classes)
    scores.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    let work = rows * ensemble.nodes.count / max(ensemble.roots.count, 1) * 4 + rows * ensemble.roots.count
    data.withUnsafeBufferPointer { x in
      scores.withUnsafeMutableBufferPointer { out in
        indices.withUnsafeMutableBufferPointer { labelsOut in
          let scoresBase = SharedPointer(base: out.baseAddress!)
          let labelsBase = SharedPointer(base: labelsOut.baseAddress!)
          let input = SharedPointer(base: x.baseAddress!)
          ParallelRows.run(rows: rows, work: work) { range in
            let features = input.base
            ensemble.accumulate(
              features: features,
              columns: cols,
              rows: range,
              targets: classes,
              into: scoresBase.base
            )
            for row in range {
              labelsBase.base[row] = Int64(
                finish(
                  UnsafeMutableBufferPointer(start: scoresBase.base + row * classes, count: classes)
                )
              )
            }
          }
        }
      }
    }
    labels.store(indices: &indices, in: &values, slot: outputs[0])
    if outputs.count > 1 {
      var shape = values.reusableShape(outputs[1])
      shape.append(rows)
      shape.append(classes)
      values[outputs[1]] = Tensor(validShape: shape, storage: .float(scores))
    }
  }

  /// Turns raw sums into probabilities in place and returns the label index.
  private func finish(_ row: UnsafeMutableBufferPointer<Float>) -> Int {
    if let binaryClass {
      let s = row[binaryClass] + (baseValues.count == 1 ? baseValues[0] : baseValues[binaryClass])
      if weightsArePositive {
        if transform == .logistic {
          let p = PostTransform.logistic(s)
          row[0] = 1 - p
          row[1] = p
        } else {
          row[0] = 1 - s
          row[1] = s
          transform.apply(row)
        }
        return s > 0.5 ? 1 : 0
      }
      row[0] = -s
      row[1] = s
      transform.apply(row)
      return s > 0 ? 1 : 0
    }
    var best = 0
    for k in row.indices {
      row[k] += baseValues[k]
      if row[k] > row[best] { best = k }
    }
    transform.apply(row)
    return best
  }
}

/// Runs a compiled TreeEnsembleRegressor.
struct TreeEnsembleRegressorKernel: Kernel {
  enum Aggregate: String { case sum = "SUM", average = "AVERAGE", min = "MIN", max = "MAX" }
  let label: String
  let input: Int
  let output: Int
  let ensemble: TreeEnsemble
  let targets: Int
  let baseValues: [Float]
  let aggregate: Aggregate
  let transform: PostTransform

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let (rows, cols, data) = try treeInput(values, input, ensemble, label)
    guard rows > 0 else {
      values[output] = Tensor(validShape: [0, targets], storage: .float([]))
      return
    }
    var result = values.reusableFloats(output, count: rows * targets)
    result.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    let trees = Float(ensemble.roots.count)
    let work = rows * ensemble.nodes.count / max(ensemble.roots.count, 1) * 4 + rows * ensemble.roots.count
    data.withUnsafeBufferPointer { x in
      result.withUnsafeMutableBufferPointer { out in
        let base = SharedPointer(base: out.baseAddress!)
        let input = SharedPointer(base: x.baseAddress!)
        ParallelRows.run(rows: rows, work: work) { range in
          let features = input.base
          if aggregate == .sum || aggregate == .average {
            ensemble.accumulate(
              features: features,
              columns: cols,
              rows: range,
              targets: targets,
              into: base.base
            )
          }
          for row in range {
            let scoreRow = base.base + row * targets
            switch aggregate {
            case .sum: break
            case .average: for t in 0..<targets { scoreRow[t] /= trees }
            case .min, .max: extreme(features + row * cols, scoreRow)
            }
            for t in 0..<targets { scoreRow[t] += baseValues[t] }
            if transform != .none {
              transform.apply(UnsafeMutableBufferPointer(start: scoreRow, count: targets))
            }
          }
        }
      }
    }
    var shape = values.reusableShape(output)
    shape.append(rows)
    shape.append(targets)
    values[output] = Tensor(validShape: shape, storage: .float(result))
  }

  private func extreme(_ features: UnsafePointer<Float>, _ scoreRow: UnsafeMutablePointer<Float>) {
    var seen = [Bool](repeating: false, count: targets)
    for tree in ensemble.roots.indices {
      let leaf = ensemble.leaf(of: features, tree: tree)
      for w in Int(ensemble.weightStart[leaf])..<Int(ensemble.weightStart[leaf + 1]) {
        let t = Int(ensemble.weightTargets[w])
        let value = ensemble.weightValues[w]
        if !seen[t] {
          scoreRow[t] = value
          seen[t] = true
        } else if aggregate == .min ? value < scoreRow[t] : value > scoreRow[t] {
          scoreRow[t] = value
        }
      }
    }
  }
}
