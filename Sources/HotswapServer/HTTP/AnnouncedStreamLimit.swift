import NIOCore

/// Announces our own SETTINGS_MAX_CONCURRENT_STREAMS in the server's first SETTINGS frame.
///
/// swift-nio-http2 treats a stream over the limit it announced as a connection error (GOAWAY
/// PROTOCOL_ERROR, every call on the connection lost; the hostile-network issue, row 11), while
/// RFC 9113 §5.1.2 lets a server refuse just that stream. So the HTTP/2 handler is configured
/// with a higher limit, which it enforces as a backstop; this handler, between it and the socket,
/// rewrites the value in the preamble's SETTINGS frame to the configured one before it is sent;
/// and `GRPCConnectionHandler` refuses each stream past the configured limit with RST_STREAM
/// REFUSED_STREAM. It removes itself after the first write.
final class AnnouncedStreamLimit: ChannelOutboundHandler, RemovableChannelHandler {
  typealias OutboundIn = IOData
  typealias OutboundOut = IOData

  /// SETTINGS_MAX_CONCURRENT_STREAMS (RFC 9113 §6.5.2).
  static let maxConcurrentStreamsIdentifier: UInt16 = 3
  /// The value clients are told.
  let announced: UInt32

  init(announced: Int) {
    self.announced = UInt32(clamping: announced)
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    var data = unwrapOutboundIn(data)
    if case .byteBuffer(var buffer) = data, Self.rewrite(&buffer, announced: announced) {
      data = .byteBuffer(buffer)
    }
    context.write(wrapOutboundOut(data), promise: promise)
    context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
  }

  /// Sets SETTINGS_MAX_CONCURRENT_STREAMS to `announced` in the SETTINGS frame at the start of
  /// `buffer`; false if the buffer does not start with a SETTINGS frame carrying it.
  static func rewrite(_ buffer: inout ByteBuffer, announced: UInt32) -> Bool {
    let start = buffer.readerIndex
    guard let high = buffer.getInteger(at: start, as: UInt8.self),
      let low = buffer.getInteger(at: start + 1, as: UInt16.self),
      buffer.getInteger(at: start + 3, as: UInt8.self) == 0x4,  // SETTINGS
      buffer.getInteger(at: start + 4, as: UInt8.self) == 0,  // not an ACK
      buffer.getInteger(at: start + 5, as: UInt32.self) == 0  // the connection
    else { return false }
    let length = Int(high) << 16 | Int(low)
    guard length % 6 == 0, buffer.readableBytes >= 9 + length else { return false }
    var offset = start + 9
    while offset < start + 9 + length {
      if buffer.getInteger(at: offset, as: UInt16.self) == maxConcurrentStreamsIdentifier {
        buffer.setInteger(announced, at: offset + 2)
        return true
      }
      offset += 6
    }
    return false
  }
}
