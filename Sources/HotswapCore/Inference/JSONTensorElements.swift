import HotswapJSON
import OnnxInference

/// Reads the `data` array of a JSON tensor: flat or nested in row-major order, each element
/// checked against the datatype. FP32 values arrive printed as doubles and are rounded to Float;
/// FP32 and FP64 accept `NaN`, `Infinity` and `-Infinity`, as Triton does.
///
/// The elements are counted before anything is allocated: a shape of 67 108 864 × 4 beside four
/// values is refused by their count, not after reserving room for 268 million.
struct JSONTensorElements {
  let input: String
  let dataType: TensorDataType

  func decode(_ values: [JSONValue], count: Int) throws(InferenceError) -> Tensor.Storage {
    let found = Self.leafCount(values, stoppingAbove: count)
    guard found <= count else {
      throw bad("input '\(input)' has more elements in 'data' than its shape allows (\(count))")
    }
    guard found == count else {
      throw bad("input '\(input)' has \(found) elements in 'data' but its shape needs \(count)")
    }
    switch dataType {
    case .float:
      return .float(
        try map(values, count) { (value, index) throws(InferenceError) in
          let number = try self.number(value, index)
          let float = Float(number)
          guard float.isFinite || !number.isFinite else {
            throw self.bad("input '\(self.input)' element \(index) (\(number)) is out of FP32 range")
          }
          return float
        }
      )
    case .double:
      return .double(
        try map(values, count) { (value, index) throws(InferenceError) in try self.number(value, index) }
      )
    case .int64:
      return .int64(
        try map(values, count) { (value, index) throws(InferenceError) in
          guard let exact = Int64(exactly: try self.number(value, index)) else {
            throw self.notInteger(value, index)
          }
          return exact
        }
      )
    case .int32:
      return .int32(
        try map(values, count) { (value, index) throws(InferenceError) in
          guard let exact = Int32(exactly: try self.number(value, index)) else {
            throw self.notInteger(value, index)
          }
          return exact
        }
      )
    case .bool:
      return .bool(
        try map(values, count) { (value, index) throws(InferenceError) in
          guard case .bool(let flag) = value else { throw self.wrongType(value, index, "true or false") }
          return flag
        }
      )
    case .string:
      return .string(
        try map(values, count) { (value, index) throws(InferenceError) in
          guard case .string(let text) = value else { throw self.wrongType(value, index, "a string") }
          return text
        }
      )
    }
  }

  /// The number of non-array elements in `values` and the arrays nested in it, or `limit + 1` as
  /// soon as there are more than `limit`. Allocates nothing.
  static func leafCount(_ values: [JSONValue], stoppingAbove limit: Int) -> Int {
    var count = 0
    for value in values {
      if case .array(let nested) = value {
        count += leafCount(nested, stoppingAbove: limit - count)
      } else {
        count += 1
      }
      if count > limit { return limit + 1 }
    }
    return count
  }

  /// Transforms the `count` leaves of `values` in row-major order into one array.
  private func map<T>(
    _ values: [JSONValue],
    _ count: Int,
    _ transform: (JSONValue, Int) throws(InferenceError) -> T
  ) throws(InferenceError)
    -> [T]
  {
    var result: [T] = []
    result.reserveCapacity(count)
    try Self.forEachLeaf(values) { (value) throws(InferenceError) in
      result.append(try transform(value, result.count))
    }
    return result
  }

  private static func forEachLeaf(
    _ values: [JSONValue],
    _ body: (JSONValue) throws(InferenceError) -> Void
  ) throws(InferenceError) {
    for value in values {
      if case .array(let nested) = value {
        try forEachLeaf(nested, body)
      } else {
        try body(value)
      }
    }
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
