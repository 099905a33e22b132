import OnnxInference

/// The Open Inference Protocol's raw tensor layout: elements little-endian and contiguous in
/// row-major order; BOOL one byte each; BYTES as a 4-byte little-endian length then the bytes,
/// per element. Used by the REST binary extension and by gRPC's raw contents.
public enum RawTensorBytes {
  /// Bytes per element, nil for BYTES (variable).
  static func elementSize(_ dataType: TensorDataType) -> Int? {
    switch dataType {
    case .float, .int32: 4
    case .double, .int64: 8
    case .bool: 1
    case .string: nil
    }
  }

  /// Decodes `count` elements of `dataType`; the byte length must match exactly.
  static func decode(
    _ bytes: [UInt8],
    dataType: TensorDataType,
    count: Int,
    input: String
  ) throws(InferenceError)
    -> Tensor.Storage
  {
    if let size = elementSize(dataType) {
      guard bytes.count == count * size else {
        throw InferenceError(
          .invalidArgument,
          "input '\(input)' has \(bytes.count) bytes of raw data but its shape needs \(count) × \(size) = \(count * size)"
        )
      }
    }
    return try bytes.withUnsafeBytes { buffer in
      decode(buffer, dataType: dataType, count: count, input: input)
    }.get()
  }

  private static func decode(
    _ buffer: UnsafeRawBufferPointer,
    dataType: TensorDataType,
    count: Int,
    input: String
  )
    -> Result<Tensor.Storage, InferenceError>
  {
    func load<T: FixedWidthInteger>(_ type: T.Type, _ index: Int) -> T {
      T(littleEndian: buffer.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self))
    }
    switch dataType {
    case .float: return .success(.float((0..<count).map { Float(bitPattern: load(UInt32.self, $0)) }))
    case .double: return .success(.double((0..<count).map { Double(bitPattern: load(UInt64.self, $0)) }))
    case .int64: return .success(.int64((0..<count).map { load(Int64.self, $0) }))
    case .int32: return .success(.int32((0..<count).map { load(Int32.self, $0) }))
    case .bool: return .success(.bool((0..<count).map { buffer[$0] != 0 }))
    case .string:
      do throws(InferenceError) {
        return .success(.string(try strings(buffer, count: count, input: input)))
      } catch {
        return .failure(error)
      }
    }
  }

  private static func strings(
    _ buffer: UnsafeRawBufferPointer,
    count: Int,
    input: String
  ) throws(InferenceError) -> [String] {
    var result: [String] = []
    // Each element takes at least its 4-byte length: the bytes bound the count, not the shape.
    result.reserveCapacity(min(count, buffer.count / 4))
    var offset = 0
    while offset < buffer.count {
      guard offset + 4 <= buffer.count else {
        throw InferenceError(
          .invalidArgument,
          "input '\(input)': BYTES element \(result.count) has a truncated length prefix"
        )
      }
      let length = Int(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
      offset += 4
      guard length <= buffer.count - offset else {
        throw InferenceError(
          .invalidArgument,
          "input '\(input)': BYTES element \(result.count) claims \(length) bytes but only \(buffer.count - offset) remain"
        )
      }
      guard
        let text = String(
          validating: UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + length]),
          as: UTF8.self
        )
      else {
        throw InferenceError(
          .invalidArgument,
          "input '\(input)': BYTES element \(result.count) is not valid UTF-8"
        )
      }
      result.append(text)
      offset += length
    }
    guard result.count == count else {
      throw InferenceError(
        .invalidArgument,
        "input '\(input)' has \(result.count) BYTES elements but its shape needs \(count)"
      )
    }
    return result
  }

  /// Encodes a tensor's elements.
  public static func encode(_ storage: Tensor.Storage) -> [UInt8] {
    var bytes: [UInt8] = []
    switch storage {
    case .float(let values):
      bytes.reserveCapacity(values.count * 4)
      for value in values { append(value.bitPattern, to: &bytes) }
    case .double(let values):
      bytes.reserveCapacity(values.count * 8)
      for value in values { append(value.bitPattern, to: &bytes) }
    case .int64(let values):
      bytes.reserveCapacity(values.count * 8)
      for value in values { append(UInt64(bitPattern: value), to: &bytes) }
    case .int32(let values):
      bytes.reserveCapacity(values.count * 4)
      for value in values { append(UInt32(bitPattern: value), to: &bytes) }
    case .bool(let values):
      bytes = values.map { $0 ? 1 : 0 }
    case .string(let values):
      for value in values {
        append(UInt32(value.utf8.count), to: &bytes)
        bytes.append(contentsOf: value.utf8)
      }
    }
    return bytes
  }

  private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }
}
