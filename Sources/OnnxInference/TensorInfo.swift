/// The name, element type and shape of a model input or output.
public struct TensorInfo: Sendable, Equatable {
  /// The graph name of the value.
  public let name: String
  /// The element type.
  public let dataType: TensorDataType
  /// The size of each axis; nil for a dynamic axis (usually the batch).
  public let shape: [Int?]

  /// Creates a description of a model input or output.
  public init(name: String, dataType: TensorDataType, shape: [Int?]) {
    self.name = name
    self.dataType = dataType
    self.shape = shape
  }

  /// The shape as text, dynamic axes as `N`: `[N, 4]`.
  public var shapeDescription: String {
    "[" + shape.map { $0.map(String.init) ?? "N" }.joined(separator: ", ") + "]"
  }
}
