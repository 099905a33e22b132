import NIOCore

/// Reassembles the one request message of a unary call from its DATA frames: the 5-byte prefix
/// (compressed flag, big-endian length), then that many bytes. The flag and the declared length
/// are checked as soon as the prefix is in, before anything more is buffered; a second message is
/// an error as soon as its first byte arrives. Pure.
struct GRPCMessageReader {
  /// The largest message accepted (`[server] max_message_bytes`).
  let maxMessageBytes: Int
  private var pending: ByteBuffer?
  private var declaredLength: Int?
  private var message: ByteBuffer?

  init(maxMessageBytes: Int) {
    self.maxMessageBytes = maxMessageBytes
  }

  /// Bytes held for this call.
  var bufferedBytes: Int {
    (pending?.readableBytes ?? 0) + (message?.readableBytes ?? 0)
  }

  /// Adds the payload of one DATA frame; a status when the call can no longer succeed.
  mutating func append(_ data: ByteBuffer) -> GRPCStatus? {
    guard data.readableBytes > 0 else { return nil }
    guard message == nil else { return Self.secondMessage }
    if var pending {
      self.pending = nil  // no copy-on-write while appending
      var data = data
      pending.writeBuffer(&data)
      self.pending = pending
    } else {
      pending = data
    }
    return consume()
  }

  /// The call's request ended (END_STREAM): its one message, or INTERNAL saying what was missing.
  func finish() -> Result<ByteBuffer, GRPCStatus> {
    if let message { return .success(message) }
    guard let pending, pending.readableBytes > 0 || declaredLength != nil else {
      return .failure(
        GRPCStatus(.internal, "the call ended without a request message; a unary call sends one")
      )
    }
    if let declaredLength {
      return .failure(
        GRPCStatus(
          .internal,
          "the call ended inside its request message: \(pending.readableBytes) of \(declaredLength) bytes arrived"
        )
      )
    }
    return .failure(
      GRPCStatus(
        .internal,
        "the call ended inside a message prefix (\(pending.readableBytes) of 5 bytes); a gRPC message starts with a flag byte and a 4-byte length"
      )
    )
  }

  private mutating func consume() -> GRPCStatus? {
    guard var buffer = pending else { return nil }
    if declaredLength == nil {
      guard let flag = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
      switch flag {
      case 0: break
      case 1:
        return GRPCStatus(
          .internal,
          "the message is marked compressed, but the call declared no grpc-encoding; send it uncompressed (flag 0)"
        )
      default:
        return GRPCStatus(
          .internal,
          "the message's flag byte is \(flag); it must be 0 (uncompressed) or 1 (compressed)"
        )
      }
      guard let length = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self) else { return nil }
      guard Int(length) <= maxMessageBytes else {
        return GRPCStatus(
          .resourceExhausted,
          "request message is \(length) bytes; the limit is \(maxMessageBytes) (max_message_bytes)"
        )
      }
      buffer.moveReaderIndex(forwardBy: 5)
      declaredLength = Int(length)
    }
    guard let declaredLength, buffer.readableBytes >= declaredLength else {
      pending = buffer
      return nil
    }
    message = buffer.readSlice(length: declaredLength)
    pending = nil
    return buffer.readableBytes > 0 ? Self.secondMessage : nil
  }

  private static let secondMessage = GRPCStatus(
    .internal,
    "a unary call sends exactly one request message; a second one arrived"
  )
}
