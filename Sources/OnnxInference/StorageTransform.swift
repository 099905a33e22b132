/// A data-movement operation that works the same for every element type.
protocol StorageTransform {
  /// Produces the output elements from the input elements.
  func apply<T: Sendable>(_ values: [T]) throws(OnnxError) -> [T]
}

extension Tensor.Storage {
  /// Applies an element-type-independent transform, keeping the element type.
  func transformed(_ transform: some StorageTransform) throws(OnnxError) -> Tensor.Storage {
    switch self {
    case .float(let values): .float(try transform.apply(values))
    case .double(let values): .double(try transform.apply(values))
    case .int64(let values): .int64(try transform.apply(values))
    case .int32(let values): .int32(try transform.apply(values))
    case .bool(let values): .bool(try transform.apply(values))
    case .string(let values): .string(try transform.apply(values))
    }
  }

  /// The elements as `[T]`, or nil when the storage holds another type.
  func array<T>(of type: T.Type) -> [T]? {
    switch self {
    case .float(let values): values as? [T]
    case .double(let values): values as? [T]
    case .int64(let values): values as? [T]
    case .int32(let values): values as? [T]
    case .bool(let values): values as? [T]
    case .string(let values): values as? [T]
    }
  }

  /// Wraps `[T]` in the storage case of the same type as `self`.
  func sameKind<T>(_ values: [T]) -> Tensor.Storage {
    switch self {
    case .float: .float(values as! [Float])
    case .double: .double(values as! [Double])
    case .int64: .int64(values as! [Int64])
    case .int32: .int32(values as! [Int32])
    case .bool: .bool(values as! [Bool])
    case .string: .string(values as! [String])
    }
  }

  /// The elements as Int indices (int64 or int32 storage), or nil.
  func indices() -> [Int]? {
    switch self {
    case .int64(let values): values.map { Int(truncatingIfNeeded: $0) }
    case .int32(let values): values.map { Int($0) }
    default: nil
    }
  }
}

/// Reads the tensor in a slot, or fails naming the node.
func requireShape(_ condition: Bool, _ label: String, _ message: @autoclosure () -> String) throws(OnnxError)
{
  guard condition else { throw OnnxError(.runtimeFailure, "\(label): \(message())") }
}
