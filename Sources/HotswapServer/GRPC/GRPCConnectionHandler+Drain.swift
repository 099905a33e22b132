import NIOCore
import NIOHTTP2

extension GRPCConnectionHandler {
  /// Where the connection is in its graceful shutdown.
  enum DrainState {
    case serving
    /// The first GOAWAY (last stream: the maximum) and a PING are sent: streams the client opens
    /// before it sees them are still served.
    case announced(HTTP2PingData)
    /// The final GOAWAY names the last stream served; the connection closes once those finish.
    case finishing
  }

  /// How long the client has to acknowledge the drain's PING before the final GOAWAY goes anyway.
  static let drainPingTimeout = TimeAmount.seconds(1)

  /// The server is shutting down (`ChannelShouldQuiesceEvent`). A GOAWAY naming the highest
  /// stream ID at once could refuse a call the client sent at that very moment, so, as RFC 9113
  /// §6.8 suggests, the first GOAWAY allows every stream and a PING marks when the client has
  /// seen it.
  func beginDrain(context: ChannelHandlerContext) {
    guard case .serving = drain else { return }
    let ping = HTTP2PingData(withInteger: UInt64.random(in: .min ... .max))
    drain = .announced(ping)
    let goAway = HTTP2Frame(
      streamID: .rootStream,
      payload: .goAway(lastStreamID: .maxID, errorCode: .noError, opaqueData: nil)
    )
    context.write(wrapOutboundOut(goAway), promise: nil)
    context.write(
      wrapOutboundOut(HTTP2Frame(streamID: .rootStream, payload: .ping(ping, ack: false))),
      promise: nil
    )
    markFlush(context: context)
    let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
    context.eventLoop.scheduleTask(in: Self.drainPingTimeout) {
      let handler = loopBound.value
      guard let context = handler.context else { return }
      handler.finishDrain(context: context)
    }
  }

  /// A PING acknowledgement: the drain's PING means the client has seen the first GOAWAY.
  func pingAcknowledged(_ data: HTTP2PingData, context: ChannelHandlerContext) {
    guard case .announced(let sent) = drain, sent == data else { return }
    finishDrain(context: context)
  }

  private func finishDrain(context: ChannelHandlerContext) {
    guard case .announced = drain else { return }
    drain = .finishing
    let goAway = HTTP2Frame(
      streamID: .rootStream,
      payload: .goAway(lastStreamID: lastStreamID, errorCode: .noError, opaqueData: nil)
    )
    context.write(wrapOutboundOut(goAway), promise: nil)
    if machine.beginDrain() {
      closeAfterFlush(context: context)
    } else {
      markFlush(context: context)
    }
  }
}
