import OnnxProto

/// The statically known type of a graph value: its element type and, when known, its shape.
struct ValueType: Sendable, Equatable {
  /// The element type.
  var dataType: TensorDataType
  /// The size of each axis (nil = dynamic), or nil when not even the rank is known.
  var shape: [Int?]?

  /// The rank, when known.
  var rank: Int? { shape?.count }

  /// The element type for an ONNX `TensorProto.DataType` number, or nil when unsupported.
  static func dataType(onnx code: Int32) -> TensorDataType? {
    switch code {
    case 1: .float
    case 11: .double
    case 7: .int64
    case 6: .int32
    case 9: .bool
    case 8: .string
    default: nil
    }
  }

  /// The ONNX name of an element type number, for messages.
  static func onnxTypeName(_ code: Int32) -> String {
    if let type = Onnx_TensorProto.DataType(rawValue: Int(code)) {
      return "\(type)".uppercased()
    }
    return "type \(code)"
  }
}
