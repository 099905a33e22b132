import GRPCNIOTransportCore
import NIOCore
import Synchronization

/// Sits on the listening channel after NIO's accept handler. It swallows the accepted-channel
/// reads (most connections are HTTP/1.1 and never reach gRPC) and, when a connection's sniffer
/// decides HTTP/2, fires that connection into gRPC's stream of connections. Connections decided
/// before the gate is in the pipeline wait in `pending`.
final class HTTP2ConnectionGate: ChannelInboundHandler, RemovableChannelHandler, Sendable {
  typealias InboundIn = any Channel
  typealias InboundOut = HTTP2ServerTransport.ConnectionConfigurator.ConnectionChannel
  typealias Connection = HTTP2ServerTransport.ConnectionConfigurator.ConnectionChannel

  private struct State {
    var context: NIOLoopBound<ChannelHandlerContext>?
    var pending: [Connection] = []
  }

  private let state = Mutex(State())

  init() {}

  func handlerAdded(context: ChannelHandlerContext) {
    let pending = state.withLock { state in
      state.context = NIOLoopBound(context, eventLoop: context.eventLoop)
      defer { state.pending = [] }
      return state.pending
    }
    for connection in pending { context.fireChannelRead(wrapInboundOut(connection)) }
    // NIOAsyncChannel hands buffered reads to its consumer only on read-complete.
    if !pending.isEmpty { context.fireChannelReadComplete() }
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    state.withLock { $0.context = nil }
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    // An accepted connection, already given its sniffer. It must not travel on to gRPC's
    // connection stream (which takes configured HTTP/2 connections only), but it still needs
    // what the pipeline's tail does with an accepted channel: register it and make it active.
    context.channel._channelCore.channelRead0(data)
  }

  /// Hands an HTTP/2 connection to gRPC. Callable from any event loop.
  func deliver(_ connection: Connection) {
    let bound: NIOLoopBound<ChannelHandlerContext>? = state.withLock { state in
      if state.context == nil { state.pending.append(connection) }
      return state.context
    }
    guard let bound else { return }
    bound.eventLoop.execute {
      bound.value.fireChannelRead(self.wrapInboundOut(connection))
      bound.value.fireChannelReadComplete()
    }
  }
}

/// The last handler of the listening pipeline, after gRPC's stream of connections.
/// `NIOAsyncChannel` forwards every read it takes, and the pipeline's tail would treat a delivered
/// HTTP/2 connection as an accepted socket to register — and trap. Accepted sockets never get
/// this far (the gate registers them itself), so the sink drops what reaches it.
final class DeliveredConnectionSink: ChannelInboundHandler, Sendable {
  typealias InboundIn = HTTP2ServerTransport.ConnectionConfigurator.ConnectionChannel

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
