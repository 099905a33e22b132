import HotswapJSON
import OnnxInference

/// Reads the `data` array of a JSON tensor: flat or nested in row-major order, each element
/// checked against the datatype. FP32 values arrive printed as doubles and are rounded to Float.
struct JSONTensorElements {
  let input: String
  let dataType: TensorDataType

  func decode(_ values: [JSONValue], count: Int) throws(InferenceError) -> Tensor.Storage {
    var flat: [JSONValue] = []
    flat.reserveCapacity(count)
    try flatten(values, into: &flat, limit: count)
    guard flat.count == count else {
      throw bad("input '\(input)' has \(flat.count) elements in 'data' but its shape needs \(count)")
    }
    switch dataType {
    case .float:
      return .float(
        try map(flat) { (value, index) throws(InferenceError) in
          let number = try self.number(value, index)
          let float = Float(number)
          guard float.isFinite else {
            throw self.bad("input '\(self.input)' element \(index) (\(number)) is out of FP32 range")
          }
          return float
        }
      )
    case .double:
      return .double(try map(flat) { (value, index) throws(InferenceError) in try self.number(value, index) })
    case .int64:
      return .int64(
        try map(flat) { (value, index) throws(InferenceError) in
          guard let exact = Int64(exactly: try self.number(value, index)) else {
            throw self.notInteger(value, index)
          }
          return exact
        }
      )
    case .int32:
      return .int32(
        try map(flat) { (value, index) throws(InferenceError) in
          guard let exact = Int32(exactly: try self.number(value, index)) else {
            throw self.notInteger(value, index)
          }
          return exact
        }
      )
    case .bool:
      return .bool(
        try map(flat) { (value, index) throws(InferenceError) in
          guard case .bool(let flag) = value else { throw self.wrongType(value, index, "true or false") }
          return flag
        }
      )
    case .string:
      return .string(
        try map(flat) { (value, index) throws(InferenceError) in
          guard case .string(let text) = value else { throw self.wrongType(value, index, "a string") }
          return text
        }
      )
    }
  }

  private func flatten(_ values: [JSONValue], into flat: inout [JSONValue], limit: Int) throws(InferenceError)
  {
    for value in values {
      if case .array(let nested) = value {
        try flatten(nested, into: &flat, limit: limit)
      } else {
        guard flat.count < limit else {
          throw bad("input '\(input)' has more elements in 'data' than its shape allows (\(limit))")
        }
        flat.append(value)
      }
    }
  }

  private func map<T>(
    _ values: [JSONValue],
    _ transform: (JSONValue, Int) throws(InferenceError) -> T
  ) throws(InferenceError)
    -> [T]
  {
    var result: [T] = []
    result.reserveCapacity(values.count)
    for (index, value) in values.enumerated() { result.append(try transform(value, index)) }
    return result
  }

  private func number(_ value: JSONValue, _ index: Int) throws(InferenceError) -> Double {
    guard case .number(let number, _) = value else { throw wrongType(value, index, "a number") }
    return number
  }

  private func notInteger(_ value: JSONValue, _ index: Int) -> InferenceError {
    bad(
      "input '\(input)' element \(index) is not a \(dataType.rawValue) integer: \(value.number.map { "\($0)" } ?? "?")"
    )
  }

  private func wrongType(_ value: JSONValue, _ index: Int, _ expected: String) -> InferenceError {
    bad(
      "input '\(input)' is \(dataType.rawValue): element \(index) must be \(expected), got \(value.typeName)"
    )
  }

  private func bad(_ message: String) -> InferenceError {
    InferenceError(.invalidArgument, message)
  }
}
