import GRPCCore

/// Answers a request message over `[server] max_message_bytes` with RESOURCE_EXHAUSTED and a
/// message naming both sizes, for every method of every service.
///
/// grpc-swift's transport enforces its own payload limit by resetting the stream, which clients
/// report as a bare CANCELLED or UNAVAILABLE. So the transport's limit is set higher (see
/// `transportLimit`) and this wrapper checks each message against the configured one; the
/// server's RPC executor turns the thrown `RPCError` into the call's status. Messages beyond the
/// transport's limit are still refused by a reset before they are buffered.
struct MessageSizeLimit<Inner: ServerTransport>: ServerTransport {
  typealias Bytes = Inner.Bytes

  let inner: Inner
  let limit: Int

  /// The payload limit to give the transport for a configured `limit`: twice as large and at
  /// least 1 MiB more, so that every message between the two gets a proper status instead of a
  /// reset.
  static func transportLimit(for limit: Int) -> Int {
    let (doubled, overflow) = limit.multipliedReportingOverflow(by: 2)
    let (padded, overflowToo) = limit.addingReportingOverflow(1 << 20)
    return overflow || overflowToo ? Int.max : max(doubled, padded)
  }

  func configure(context: GRPCServerContext) {
    inner.configure(context: context)
  }

  func listen(
    streamHandler:
      @escaping @Sendable (
        _ stream: RPCStream<Inbound, Outbound>,
        _ context: ServerContext
      ) async -> Void
  ) async throws {
    let limit = self.limit
    try await inner.listen { stream, context in
      let checked = stream.inbound.map { part -> RPCRequestPart<Bytes> in
        if case .message(let bytes) = part, bytes.count > limit {
          throw RPCError(
            code: .resourceExhausted,
            message: "request message is \(bytes.count) bytes; the limit is \(limit) (max_message_bytes)"
          )
        }
        return part
      }
      let limited = RPCStream(
        descriptor: stream.descriptor,
        inbound: RPCAsyncSequence(wrapping: checked),
        outbound: stream.outbound
      )
      await streamHandler(limited, context)
    }
  }

  func beginGracefulShutdown() {
    inner.beginGracefulShutdown()
  }
}
