/// The element types a tensor can hold, named as in the Open Inference Protocol.
public enum TensorDataType: String, Sendable, CaseIterable {
  /// 32-bit IEEE float.
  case float = "FP32"
  /// 64-bit IEEE float.
  case double = "FP64"
  /// 64-bit signed integer.
  case int64 = "INT64"
  /// 32-bit signed integer.
  case int32 = "INT32"
  /// Boolean.
  case bool = "BOOL"
  /// UTF-8 string.
  case string = "BYTES"
}

/// A dense, row-major tensor: a shape and a flat array of elements.
public struct Tensor: Sendable, Equatable {
  /// The elements, in row-major order, typed.
  public enum Storage: Sendable, Equatable {
    /// 32-bit floats.
    case float([Float])
    /// 64-bit floats.
    case double([Double])
    /// 64-bit integers.
    case int64([Int64])
    /// 32-bit integers.
    case int32([Int32])
    /// Booleans.
    case bool([Bool])
    /// Strings.
    case string([String])

    /// The number of elements.
    public var count: Int {
      switch self {
      case .float(let v): v.count
      case .double(let v): v.count
      case .int64(let v): v.count
      case .int32(let v): v.count
      case .bool(let v): v.count
      case .string(let v): v.count
      }
    }

    /// The element type.
    public var dataType: TensorDataType {
      switch self {
      case .float: .float
      case .double: .double
      case .int64: .int64
      case .int32: .int32
      case .bool: .bool
      case .string: .string
      }
    }
  }

  /// The size of each axis.
  public var shape: [Int]
  /// The elements.
  public var storage: Storage

  /// Creates a tensor, checking that the element count equals the product of the shape.
  public init(shape: [Int], storage: Storage) throws(OnnxError) {
    guard let count = Tensor.elementCount(of: shape) else {
      throw OnnxError(.invalidInput, "invalid tensor shape \(shape): negative or overflowing dimensions")
    }
    guard count == storage.count else {
      throw OnnxError(
        .invalidInput,
        "tensor shape \(shape) needs \(count) elements, got \(storage.count)"
      )
    }
    self.shape = shape
    self.storage = storage
  }

  /// Creates a tensor whose consistency the caller guarantees (kernels, decoded initializers).
  init(validShape shape: [Int], storage: Storage) {
    self.shape = shape
    self.storage = storage
  }

  /// The element type.
  public var dataType: TensorDataType { storage.dataType }

  /// The number of elements.
  public var elementCount: Int { storage.count }

  /// The product of `shape`, or nil when a dimension is negative or the product overflows.
  static func elementCount(of shape: [Int]) -> Int? {
    var count = 1
    for dim in shape {
      guard dim >= 0 else { return nil }
      let (product, overflow) = count.multipliedReportingOverflow(by: dim)
      guard !overflow else { return nil }
      count = product
    }
    return count
  }
}
