import OnnxInference

/// Turns rows of client features into the model's input tensors, with errors that name the
/// offending feature.
struct FeatureEncoder {
  let schema: ModelSchema

  func tensors(for rows: [[FeatureValue]]) throws(PredictionError) -> [Tensor] {
    guard !rows.isEmpty else { throw PredictionError(.invalidInput, "no rows to predict") }
    let width = schema.featureCount
    for (index, row) in rows.enumerated() where row.count != width {
      let which = rows.count == 1 ? "" : " in row \(index)"
      throw PredictionError(
        .invalidInput,
        "expected \(width) features (\(schema.featureNames.joined(separator: ", "))), got \(row.count)\(which)"
      )
    }
    switch schema.layout {
    case .tensorsOnly(let reason):
      throw PredictionError(
        .unsupportedModel,
        "this model cannot take a feature list (\(reason)); send tensors to /v2/models/{name}/infer instead"
      )
    case .matrix(let dataType):
      return [try matrix(rows, dataType: dataType)]
    case .columns(let dataTypes):
      var tensors: [Tensor] = []
      tensors.reserveCapacity(dataTypes.count)
      for (column, dataType) in dataTypes.enumerated() {
        tensors.append(try self.column(rows, column: column, dataType: dataType))
      }
      return tensors
    }
  }

  private func matrix(_ rows: [[FeatureValue]], dataType: TensorDataType) throws(PredictionError) -> Tensor {
    let width = schema.featureCount
    let shape = [rows.count, width]
    switch dataType {
    case .float:
      var values = [Float]()
      values.reserveCapacity(rows.count * width)
      for (rowIndex, row) in rows.enumerated() {
        for (column, feature) in row.enumerated() {
          values.append(Float(try number(feature, row: rowIndex, column: column, rowCount: rows.count)))
        }
      }
      return try make(shape, .float(values))
    case .double:
      var values = [Double]()
      values.reserveCapacity(rows.count * width)
      for (rowIndex, row) in rows.enumerated() {
        for (column, feature) in row.enumerated() {
          values.append(try number(feature, row: rowIndex, column: column, rowCount: rows.count))
        }
      }
      return try make(shape, .double(values))
    case .int64, .int32, .bool:
      var values = [Int64]()
      values.reserveCapacity(rows.count * width)
      for (rowIndex, row) in rows.enumerated() {
        for (column, feature) in row.enumerated() {
          values.append(try integer(feature, row: rowIndex, column: column, rowCount: rows.count))
        }
      }
      switch dataType {
      case .int32: return try make(shape, .int32(values.map { Int32(clamping: $0) }))
      case .bool: return try make(shape, .bool(values.map { $0 != 0 }))
      default: return try make(shape, .int64(values))
      }
    case .string:
      throw PredictionError(.unsupportedModel, "a string matrix input cannot be built from features")
    }
  }

  private func column(
    _ rows: [[FeatureValue]],
    column: Int,
    dataType: TensorDataType
  ) throws(PredictionError)
    -> Tensor
  {
    let shape = [rows.count, 1]
    switch dataType {
    case .string:
      var values = [String]()
      values.reserveCapacity(rows.count)
      for (rowIndex, row) in rows.enumerated() {
        switch row[column] {
        case .string(let text): values.append(text)
        case .number(let number):
          values.append(number.rounded() == number ? String(Int64(number)) : String(number))
        case .missing:
          guard schema.acceptsMissingValues else {
            throw missing(row: rowIndex, column: column, rowCount: rows.count)
          }
          values.append("")
        }
      }
      return try make(shape, .string(values))
    case .float:
      var values = [Float]()
      for (rowIndex, row) in rows.enumerated() {
        values.append(Float(try number(row[column], row: rowIndex, column: column, rowCount: rows.count)))
      }
      return try make(shape, .float(values))
    case .double:
      var values = [Double]()
      for (rowIndex, row) in rows.enumerated() {
        values.append(try number(row[column], row: rowIndex, column: column, rowCount: rows.count))
      }
      return try make(shape, .double(values))
    case .int64, .int32, .bool:
      var values = [Int64]()
      for (rowIndex, row) in rows.enumerated() {
        values.append(try integer(row[column], row: rowIndex, column: column, rowCount: rows.count))
      }
      switch dataType {
      case .int32: return try make(shape, .int32(values.map { Int32(clamping: $0) }))
      case .bool: return try make(shape, .bool(values.map { $0 != 0 }))
      default: return try make(shape, .int64(values))
      }
    }
  }

  private func number(
    _ feature: FeatureValue,
    row: Int,
    column: Int,
    rowCount: Int
  ) throws(PredictionError) -> Double {
    switch feature {
    case .number(let value): return value
    case .missing:
      guard schema.acceptsMissingValues else { throw missing(row: row, column: column, rowCount: rowCount) }
      return .nan
    case .string:
      throw PredictionError(
        .invalidInput,
        "feature '\(name(column))'\(at(row, rowCount)) must be a number, got a string"
      )
    }
  }

  private func integer(
    _ feature: FeatureValue,
    row: Int,
    column: Int,
    rowCount: Int
  ) throws(PredictionError) -> Int64 {
    let value = try number(feature, row: row, column: column, rowCount: rowCount)
    guard value.isFinite, value.rounded() == value, let exact = Int64(exactly: value) else {
      throw PredictionError(
        .invalidInput,
        "feature '\(name(column))'\(at(row, rowCount)) must be an integer, got \(value)"
      )
    }
    return exact
  }

  private func missing(row: Int, column: Int, rowCount: Int) -> PredictionError {
    PredictionError(
      .invalidInput,
      "feature '\(name(column))'\(at(row, rowCount)) is null (missing), and this model does not handle missing values"
    )
  }

  private func name(_ column: Int) -> String {
    column < schema.featureNames.count ? schema.featureNames[column] : "#\(column)"
  }

  private func at(_ row: Int, _ rowCount: Int) -> String {
    rowCount == 1 ? "" : " in row \(row)"
  }

  private func make(_ shape: [Int], _ storage: Tensor.Storage) throws(PredictionError) -> Tensor {
    do {
      return try Tensor(shape: shape, storage: storage)
    } catch {
      throw PredictionError(.invalidInput, error.message)
    }
  }
}
