import NIOCore
import SwiftProtobuf

/// A `ByteBuffer` as swift-protobuf's bytes type, so request messages decode straight from the
/// received DATA and responses serialize straight into the buffer that is sent — with the 5-byte
/// gRPC prefix reserved in front, so the whole DATA payload is one allocation and no copy.
struct ProtobufBytes: SwiftProtobufContiguousBytes {
  /// The bytes; for serialized responses, the prefix and the message.
  private(set) var buffer: ByteBuffer
  /// Bytes before the message (the gRPC prefix) that swift-protobuf does not see.
  private let reserved: Int

  /// Wraps received bytes for decoding.
  init(_ buffer: ByteBuffer) {
    self.buffer = buffer
    self.reserved = 0
  }

  /// `count` zero bytes (swift-protobuf's serializer then fills them), after a zeroed gRPC prefix.
  init(repeating: UInt8, count: Int) {
    var buffer = ByteBufferAllocator().buffer(capacity: count + 5)
    buffer.writeRepeatingByte(0, count: 5)
    buffer.writeRepeatingByte(repeating, count: count)
    self.buffer = buffer
    self.reserved = 5
  }

  init<S: Sequence>(_ sequence: S) where S.Element == UInt8 {
    var buffer = ByteBufferAllocator().buffer(capacity: 5 + sequence.underestimatedCount)
    buffer.writeRepeatingByte(0, count: 5)
    buffer.writeBytes(sequence)
    self.buffer = buffer
    self.reserved = 5
  }

  var count: Int { buffer.readableBytes - reserved }

  func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try buffer.withUnsafeReadableBytes { try body(UnsafeRawBufferPointer(rebasing: $0.dropFirst(reserved))) }
  }

  mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
    let reserved = self.reserved
    return try buffer.withUnsafeMutableReadableBytes {
      try body(UnsafeMutableRawBufferPointer(rebasing: $0.dropFirst(reserved)))
    }
  }

  /// The serialized message of `message` as one gRPC length-prefixed message.
  static func framed(_ message: some SwiftProtobuf.Message) throws -> ByteBuffer {
    var bytes: ProtobufBytes = try message.serializedBytes()
    let length = UInt32(bytes.count)
    bytes.buffer.setInteger(UInt8(0), at: bytes.buffer.readerIndex)
    bytes.buffer.setInteger(length, at: bytes.buffer.readerIndex + 1)
    return bytes.buffer
  }
}
