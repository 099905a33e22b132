import NIOCore

/// Sent down an HTTP/1.1 connection when the server starts draining (as NIO's
/// `ChannelShouldQuiesceEvent` is). Closing an idle keep-alive connection at once would reset a
/// client that sends its next request at that moment, so the connection handler waits briefly
/// for that request, answers it with `Connection: close`, and only then closes.
struct DrainEvent: Sendable {
  /// How long an idle connection stays open for one more request once draining starts.
  static let idleGrace = TimeAmount.milliseconds(1000)
}
