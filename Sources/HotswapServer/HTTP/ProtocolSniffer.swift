import NIOCore

/// The first handler of every connection: looks at the first bytes and decides between HTTP/2
/// with prior knowledge (the connection preface `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`, which every
/// gRPC client sends) and HTTP/1.1. It then has the pipeline configured for that protocol, replays
/// the bytes it held, and removes itself. Only as many bytes as the preface are ever held.
final class ProtocolSniffer: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = ByteBuffer

  /// The protocol a connection speaks.
  enum Decision: Equatable {
    case http1
    case http2
  }

  /// The HTTP/2 client connection preface (RFC 9113 §3.4).
  static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

  /// Decides from the bytes seen so far; nil while they are still a prefix of the preface.
  static func decide(_ bytes: some Collection<UInt8>) -> Decision? {
    for (byte, expected) in zip(bytes, preface) where byte != expected { return .http1 }
    return bytes.count >= preface.count ? .http2 : nil
  }

  private let configure: (Channel, Decision) throws -> Void
  private var held: ByteBuffer?
  private var draining = false
  private var graceClose: Scheduled<Void>?

  /// `configure` adds the handlers for the decided protocol to the end of the pipeline; it runs
  /// on the channel's event loop.
  init(configure: @escaping (Channel, Decision) throws -> Void) {
    self.configure = configure
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    var incoming = unwrapInboundIn(data)
    if var held {
      held.writeBuffer(&incoming)
      self.held = held
    } else {
      held = incoming
    }
    guard let buffer = held, let decision = Self.decide(buffer.readableBytesView) else { return }
    do {
      try configure(context.channel, decision)
    } catch {
      context.close(promise: nil)
      return
    }
    held = nil
    graceClose?.cancel()
    graceClose = nil
    context.fireChannelRead(wrapInboundOut(buffer))
    if draining {
      // The server began draining before this connection said anything: serve this first
      // request (or RPCs) and close, as every other connection does.
      context.fireUserInboundEventTriggered(
        decision == .http1 ? DrainEvent() as Any : ChannelShouldQuiesceEvent()
      )
    }
    context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    guard event is ChannelShouldQuiesceEvent else {
      context.fireUserInboundEventTriggered(event)
      return
    }
    // Nothing decided yet: give the client a moment to send its request, then close.
    guard !draining else { return }
    draining = true
    let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
    graceClose = context.eventLoop.scheduleTask(in: DrainEvent.idleGrace) {
      loopBound.value.close(promise: nil)
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    held = nil
    graceClose?.cancel()
    graceClose = nil
    context.fireChannelInactive()
  }
}
