import OnnxInference

/// Turns one wire input into a tensor for a model input, checking datatype, shape, element count
/// and byte length, with messages that name the input. Pure: no I/O.
public struct TensorDecoder: Sendable {
  /// The model input the tensor is for.
  public let info: TensorInfo

  /// Creates a decoder for one model input.
  public init(info: TensorInfo) {
    self.info = info
  }

  /// Decodes `input` (whose name matches `info`).
  public func decode(_ input: InferInput) throws(InferenceError) -> Tensor {
    let dataType = try checkDatatype(input.datatype)
    let shape = try checkShape(input.shape)
    let count = try elementCount(shape)
    let storage: Tensor.Storage
    switch input.payload {
    case .json(let values):
      storage = try JSONTensorElements(input: info.name, dataType: dataType).decode(values, count: count)
    case .raw(let bytes):
      storage = try RawTensorBytes.decode(bytes, dataType: dataType, count: count, input: info.name)
    case .typed(let typed):
      guard typed.dataType == dataType else {
        throw bad(
          "input '\(info.name)' is \(dataType.rawValue) but its contents hold \(typed.dataType.rawValue) values"
        )
      }
      guard typed.count == count else {
        throw bad(
          "input '\(info.name)' has shape \(shape) (\(count) elements) but its contents hold \(typed.count)"
        )
      }
      storage = typed
    }
    do {
      return try Tensor(shape: shape, storage: storage)
    } catch {
      throw bad("input '\(info.name)': \(error.message)")
    }
  }

  private func checkDatatype(_ datatype: String) throws(InferenceError) -> TensorDataType {
    guard let dataType = TensorDataType(rawValue: datatype) else {
      let known = TensorDataType.allCases.map(\.rawValue).joined(separator: ", ")
      throw bad("input '\(info.name)' has unknown datatype '\(datatype)'; supported datatypes are \(known)")
    }
    guard dataType == info.dataType else {
      throw bad("input '\(info.name)' must be \(info.dataType.rawValue), got \(datatype)")
    }
    return dataType
  }

  private func checkShape(_ wire: [Int64]) throws(InferenceError) -> [Int] {
    let expected = info.wireShape
    var shape: [Int] = []
    shape.reserveCapacity(wire.count)
    for dim in wire {
      guard dim >= 0, let value = Int(exactly: dim) else {
        throw bad("input '\(info.name)' has an invalid shape \(wire): dimensions must be ≥ 0")
      }
      shape.append(value)
    }
    let fits =
      info.shape.isEmpty
      || (shape.count == info.shape.count && zip(shape, info.shape).allSatisfy { $1 == nil || $0 == $1 })
    guard fits else {
      throw bad("input '\(info.name)' must have shape \(expected) (-1: any size), got \(wire)")
    }
    return shape
  }

  private func elementCount(_ shape: [Int]) throws(InferenceError) -> Int {
    var count = 1
    for dim in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: dim)
      guard !overflow, product <= Self.maxElements else {
        throw bad(
          "input '\(info.name)' with shape \(shape) has too many elements; the limit is \(Self.maxElements)"
        )
      }
      count = product
    }
    return count
  }

  /// Most elements one input may have (the message size limits bind first in practice).
  public static let maxElements = 1 << 28

  private func bad(_ message: String) -> InferenceError {
    InferenceError(.invalidArgument, message)
  }
}
