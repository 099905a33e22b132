import FoundationEssentials
import OnnxProto

/// Decodes constant tensors (`TensorProto`) into `Tensor`s, checking every size before use.
enum InitializerDecoder {
  /// Decodes `proto`, or throws `.invalidModel` naming `what` when it is malformed or unsupported.
  static func decode(_ proto: Onnx_TensorProto, what: String) throws(OnnxError) -> Tensor {
    guard proto.dataLocation == 0 else {
      throw OnnxError(.invalidModel, "\(what) uses external data, which is not supported")
    }
    var shape: [Int] = []
    shape.reserveCapacity(proto.dims.count)
    for dim in proto.dims {
      guard dim >= 0, dim <= Int64(Int32.max) else {
        throw OnnxError(.invalidModel, "\(what) has an invalid dimension \(dim)")
      }
      shape.append(Int(dim))
    }
    guard let count = Tensor.elementCount(of: shape) else {
      throw OnnxError(.invalidModel, "\(what) has dimensions \(shape) whose product overflows")
    }
    guard let dataType = ValueType.dataType(onnx: proto.dataType) else {
      throw OnnxError(
        .invalidModel,
        "\(what) has element type \(ValueType.onnxTypeName(proto.dataType)), which is not supported"
      )
    }
    let storage = try decodeStorage(proto, dataType: dataType, count: count, what: what)
    return Tensor(validShape: shape, storage: storage)
  }

  private static func decodeStorage(
    _ proto: Onnx_TensorProto,
    dataType: TensorDataType,
    count: Int,
    what: String
  ) throws(OnnxError) -> Tensor.Storage {
    let raw = proto.rawData
    let hasRaw = !raw.isEmpty
    func check(_ available: Int, _ unit: String) throws(OnnxError) {
      guard available == count else {
        throw OnnxError(
          .invalidModel,
          "\(what) declares \(count) elements but holds \(available) \(unit)"
        )
      }
    }
    switch dataType {
    case .float:
      if hasRaw {
        try check(raw.count / 4, "in raw_data")
        guard raw.count % 4 == 0 else { throw rawSizeError(what) }
        return .float(littleEndian(raw, count: count) { Float(bitPattern: UInt32($0)) })
      }
      try check(proto.floatData.count, "floats")
      return .float(proto.floatData)
    case .double:
      if hasRaw {
        try check(raw.count / 8, "in raw_data")
        guard raw.count % 8 == 0 else { throw rawSizeError(what) }
        return .double(littleEndian(raw, count: count) { Double(bitPattern: $0) })
      }
      try check(proto.doubleData.count, "doubles")
      return .double(proto.doubleData)
    case .int64:
      if hasRaw {
        try check(raw.count / 8, "in raw_data")
        guard raw.count % 8 == 0 else { throw rawSizeError(what) }
        return .int64(littleEndian(raw, count: count) { Int64(bitPattern: $0) })
      }
      try check(proto.int64Data.count, "int64s")
      return .int64(proto.int64Data)
    case .int32:
      if hasRaw {
        try check(raw.count / 4, "in raw_data")
        guard raw.count % 4 == 0 else { throw rawSizeError(what) }
        return .int32(littleEndian(raw, count: count) { Int32(truncatingIfNeeded: $0) })
      }
      try check(proto.int32Data.count, "int32s")
      return .int32(proto.int32Data)
    case .bool:
      if hasRaw {
        try check(raw.count, "bytes in raw_data")
        return .bool(raw.map { $0 != 0 })
      }
      try check(proto.int32Data.count, "values")
      return .bool(proto.int32Data.map { $0 != 0 })
    case .string:
      try check(proto.stringData.count, "strings")
      return .string(proto.stringData.map { String(decoding: $0, as: UTF8.self) })
    }
  }

  private static func rawSizeError(_ what: String) -> OnnxError {
    OnnxError(.invalidModel, "\(what) has raw_data whose size is not a multiple of its element size")
  }

  /// Reads `count` little-endian values of `width` = 4 or 8 bytes from `raw`.
  private static func littleEndian<T>(
    _ raw: some Collection<UInt8>,
    count: Int,
    _ make: (UInt64) -> T
  ) -> [T] {
    let bytes = Array(raw)
    let width = count == 0 ? 1 : bytes.count / count
    var result: [T] = []
    result.reserveCapacity(count)
    bytes.withUnsafeBufferPointer { buffer in
      for index in 0..<count {
        var value: UInt64 = 0
        for byte in 0..<width {
          value |= UInt64(buffer[index * width + byte]) << (8 * UInt64(byte))
        }
        result.append(make(value))
      }
    }
    return result
  }
}
