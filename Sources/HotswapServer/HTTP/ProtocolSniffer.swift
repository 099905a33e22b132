import NIOCore

/// The first handler of every connection: looks at the first bytes and decides between HTTP/2
/// with prior knowledge (the connection preface `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`, which every
/// gRPC client sends) and HTTP/1.1. It then has the pipeline configured for that protocol, replays
/// the bytes it held, and removes itself. Only as many bytes as the preface are ever held, and a
/// connection that has not decided within `idle_timeout` — silent, or stalled inside the preface
/// — is closed.
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
  private let listener: ListenerDrain?
  private let idleTimeout: TimeAmount?
  private var held: ByteBuffer?
  private var draining = false
  private var graceClose: Scheduled<Void>?
  private var idleClose: Scheduled<Void>?

  /// `configure` adds the handlers for the decided protocol to the end of the pipeline; it runs
  /// on the channel's event loop. `listener` is told when the connection is active, and says
  /// whether the server began draining while the connection was being set up.
  init(
    listener: ListenerDrain? = nil,
    idleTimeout: TimeAmount? = nil,
    configure: @escaping (Channel, Decision) throws -> Void
  ) {
    self.listener = listener
    self.idleTimeout = idleTimeout
    self.configure = configure
  }

  func channelActive(context: ChannelHandlerContext) {
    if let idleTimeout {
      let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
      idleClose = context.eventLoop.scheduleTask(in: idleTimeout) { loopBound.value.close(promise: nil) }
    }
    if let listener {
      listener.settled(context.channel)
      // Accepted while the server began draining: the shutdown's quiesce event may have reached
      // this pipeline before it was set up, so drain from here.
      if listener.isDraining { startDraining(context: context) }
    }
    context.fireChannelActive()
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
    idleClose?.cancel()
    idleClose = nil
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
    startDraining(context: context)
  }

  /// Nothing decided yet: gives the client a moment to send its request, then closes.
  private func startDraining(context: ChannelHandlerContext) {
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
    idleClose?.cancel()
    idleClose = nil
    context.fireChannelInactive()
  }
}
