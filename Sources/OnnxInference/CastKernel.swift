import FoundationEssentials

/// Runs a compiled Cast. Floats convert to integers by truncation toward zero; NaN and values out
/// of range become the integer type's minimum (what x86 hardware, and so onnxruntime, produces).
struct CastKernel: Kernel {
  let label: String
  let input: Int
  let output: Int
  let to: TensorDataType

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let tensor = values[input]
    values[output] = Tensor(validShape: tensor.shape, storage: try convert(tensor.storage))
  }

  private func convert(_ storage: Tensor.Storage) throws(OnnxError) -> Tensor.Storage {
    if storage.dataType == to { return storage }
    switch storage {
    case .float(let v): return fromDoubles(v.map(Double.init), exactFloats: v)
    case .double(let v): return fromDoubles(v, exactFloats: nil)
    case .int64(let v): return fromIntegers(v)
    case .int32(let v): return fromIntegers(v.map(Int64.init))
    case .bool(let v): return fromIntegers(v.map { $0 ? 1 : 0 })
    case .string(let v): return try fromStrings(v)
    }
  }

  private func fromDoubles(_ v: [Double], exactFloats: [Float]?) -> Tensor.Storage {
    switch to {
    case .float: .float(exactFloats ?? v.map { Float($0) })
    case .double: .double(v)
    case .int64: .int64(v.map(Self.int64))
    case .int32: .int32(v.map(Self.int32))
    case .bool: .bool(v.map { $0 != 0 })
    case .string: .string(exactFloats.map { $0.map { "\($0)" } } ?? v.map { "\($0)" })
    }
  }

  private func fromIntegers(_ v: [Int64]) -> Tensor.Storage {
    switch to {
    case .float: .float(v.map { Float($0) })
    case .double: .double(v.map { Double($0) })
    case .int64: .int64(v)
    case .int32: .int32(v.map { Int32(truncatingIfNeeded: $0) })
    case .bool: .bool(v.map { $0 != 0 })
    case .string: .string(v.map { String($0) })
    }
  }

  private func fromStrings(_ v: [String]) throws(OnnxError) -> Tensor.Storage {
    if to == .bool {
      throw OnnxError(.runtimeFailure, "\(label): cannot cast strings to BOOL")
    }
    var numbers: [Double] = []
    numbers.reserveCapacity(v.count)
    for text in v {
      guard let number = Double(Self.trimmingWhitespace(text)) else {
        throw OnnxError(.runtimeFailure, "\(label): cannot cast '\(text)' to \(to.rawValue)")
      }
      numbers.append(number)
    }
    if to == .int64 || to == .int32, let integers = Optional(v.compactMap { Int64($0) }),
      integers.count == v.count
    {
      return fromIntegers(integers)
    }
    return fromDoubles(numbers, exactFloats: nil)
  }

  /// Truncation toward zero; NaN and out-of-range values give `Int64.min`.
  static func int64(_ value: Double) -> Int64 {
    guard value.isFinite, value >= -9.223372036854775808e18, value < 9.223372036854775808e18 else {
      return Int64.min
    }
    return Int64(value)
  }

  /// Truncation toward zero; NaN and out-of-range values give `Int32.min`.
  static func int32(_ value: Double) -> Int32 {
    guard value.isFinite, value > -2_147_483_649, value < 2_147_483_648 else { return Int32.min }
    return Int32(value)
  }

  /// `text` without leading and trailing tabs, space separators (Unicode category Zs) and zero
  /// width spaces: the characters `CharacterSet.whitespaces` holds.
  static func trimmingWhitespace(_ text: String) -> String {
    let isBlank = { (scalar: Unicode.Scalar) in
      scalar == "\t" || scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator
    }
    let scalars = text.unicodeScalars
    guard let first = scalars.firstIndex(where: { !isBlank($0) }),
      let last = scalars.lastIndex(where: { !isBlank($0) })
    else { return "" }
    return String(scalars[first...last])
  }
}
