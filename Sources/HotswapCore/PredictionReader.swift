import OnnxInference

/// Reads a model's output tensors as one `Prediction` per row.
struct PredictionReader {
  let schema: ModelSchema

  func predictions(from outputs: [Tensor], rowCount: Int) throws(PredictionError) -> [Prediction] {
    switch schema.reading {
    case .classifier(let labelOutput, let probabilitiesOutput, let classes):
      return try classify(outputs, labelOutput, probabilitiesOutput, classes, rowCount)
    case .regressor(let valueOutput):
      return try regress(output(outputs, valueOutput), rowCount)
    case .firstOutput:
      return try regress(output(outputs, 0), rowCount)
    }
  }

  private func output(_ outputs: [Tensor], _ index: Int) throws(PredictionError) -> Tensor {
    guard index < outputs.count else {
      throw PredictionError(
        .inferenceFailed,
        "model produced \(outputs.count) outputs, expected at least \(index + 1)"
      )
    }
    return outputs[index]
  }

  private func classify(
    _ outputs: [Tensor],
    _ labelOutput: Int,
    _ probabilitiesOutput: Int?,
    _ classes: [String],
    _ rowCount: Int
  ) throws(PredictionError) -> [Prediction] {
    let labels = try output(outputs, labelOutput)
    var values: [Prediction.Value] = []
    values.reserveCapacity(rowCount)
    switch labels.storage {
    case .int64(let ints): values = ints.map { .integer($0) }
    case .int32(let ints): values = ints.map { .integer(Int64($0)) }
    case .string(let strings): values = strings.map { .string($0) }
    case .float(let floats): values = floats.map { .number(Double($0)) }
    case .double(let doubles): values = doubles.map { .number($0) }
    case .bool(let bools): values = bools.map { .integer($0 ? 1 : 0) }
    }
    guard values.count == rowCount else {
      throw PredictionError(.inferenceFailed, "model returned \(values.count) labels for \(rowCount) rows")
    }
    var probabilityRows: [[Double]]? = nil
    if let probabilitiesOutput {
      let tensor = try output(outputs, probabilitiesOutput)
      let flat: [Double]
      switch tensor.storage {
      case .float(let floats): flat = floats.map(Double.init)
      case .double(let doubles): flat = doubles
      default:
        throw PredictionError(
          .inferenceFailed,
          "probability output is \(tensor.dataType.rawValue), not a number"
        )
      }
      let width = classes.isEmpty ? (rowCount > 0 ? flat.count / rowCount : 0) : classes.count
      guard width > 0, flat.count == width * rowCount else {
        throw PredictionError(
          .inferenceFailed,
          "probability output has shape \(tensor.shape) for \(rowCount) rows"
        )
      }
      probabilityRows = (0..<rowCount).map { Array(flat[$0 * width..<($0 + 1) * width]) }
    }
    return (0..<rowCount).map { row in
      let value = values[row]
      let classIndex = classes.firstIndex(of: label(value))
      var prediction = Prediction(value: value)
      if let classIndex, let names = schema.classNames { prediction.className = names[classIndex] }
      if let probabilities = probabilityRows?[row] {
        prediction.probabilities = probabilities
        if let classIndex, classIndex < probabilities.count {
          prediction.confidence = probabilities[classIndex]
        } else {
          prediction.confidence = probabilities.max()
        }
      }
      return prediction
    }
  }

  private func label(_ value: Prediction.Value) -> String {
    switch value {
    case .integer(let int): return String(int)
    case .string(let string): return string
    case .number(let number): return String(number)
    case .numbers(let numbers): return numbers.map { String($0) }.joined(separator: ",")
    }
  }

  private func regress(_ tensor: Tensor, _ rowCount: Int) throws(PredictionError) -> [Prediction] {
    let flat: [Double]
    switch tensor.storage {
    case .float(let floats): flat = floats.map(Double.init)
    case .double(let doubles): flat = doubles
    case .int64(let ints): flat = ints.map(Double.init)
    case .int32(let ints): flat = ints.map(Double.init)
    case .bool(let bools): flat = bools.map { $0 ? 1 : 0 }
    case .string(let strings):
      guard strings.count == rowCount else {
        throw PredictionError(.inferenceFailed, "model returned \(strings.count) values for \(rowCount) rows")
      }
      return strings.map { Prediction(value: .string($0)) }
    }
    guard rowCount > 0, flat.count % rowCount == 0, !flat.isEmpty else {
      throw PredictionError(.inferenceFailed, "model output has shape \(tensor.shape) for \(rowCount) rows")
    }
    let width = flat.count / rowCount
    return (0..<rowCount).map { row in
      width == 1
        ? Prediction(value: .number(flat[row]))
        : Prediction(value: .numbers(Array(flat[row * width..<(row + 1) * width])))
    }
  }
}
