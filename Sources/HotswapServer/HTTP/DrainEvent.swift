import NIOCore

/// Sent down an HTTP/1.1 connection when the server starts draining. NIO's
/// `HTTPServerPipelineHandler` closes an idle keep-alive connection at once on
/// `ChannelShouldQuiesceEvent`, so a client that sends its next request at that moment gets a
/// reset instead of an answer. Translating the event lets the connection handler wait briefly for
/// that next request, answer it with `Connection: close`, and only then close.
struct DrainEvent: Sendable {
  /// How long an idle connection stays open for one more request once draining starts.
  static let idleGrace = TimeAmount.milliseconds(1000)
}

/// The first handler of an HTTP/1.1 connection: turns `ChannelShouldQuiesceEvent` into a
/// `DrainEvent`, which passes through NIO's HTTP handlers to `HTTP1ConnectionHandler`.
final class DrainEventTranslator: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = NIOAny

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is ChannelShouldQuiesceEvent {
      context.fireUserInboundEventTriggered(DrainEvent())
    } else {
      context.fireUserInboundEventTriggered(event)
    }
  }
}
