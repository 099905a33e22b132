import GRPCNIOTransportCore
import NIOCore
import NIOPosix

/// The one listening port for every protocol. grpc-swift-2's `HTTP2ServerTransport.Custom` calls
/// it to create the listener; each accepted connection starts with a `ProtocolSniffer`, which
/// hands HTTP/2 (gRPC) connections to the transport through the gate and configures HTTP/1.1
/// connections for REST right there. So gRPC's graceful shutdown quiesces REST connections too.
struct OnePortListenerFactory: HTTP2ServerTransport.ListenerFactory {
  let eventLoopGroup: any EventLoopGroup
  let binding: ListenBinding
  let http1: HTTP1Pipeline
  let limit: ConnectionLimit
  let drain = ListenerDrain()

  func makeListeningChannel(
    listenerConfigurator: HTTP2ServerTransport.ListenerConfigurator,
    connectionConfigurator: HTTP2ServerTransport.ConnectionConfigurator
  ) async throws -> NIOAsyncChannel<HTTP2ServerTransport.ConnectionConfigurator.ConnectionChannel, Never> {
    let gate = HTTP2ConnectionGate()
    let http1 = self.http1
    let limit = self.limit
    let drain = self.drain
    let bootstrap = ServerBootstrap(group: eventLoopGroup)
      .serverChannelOption(.backlog, value: 1024)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      // No child TCP_NODELAY option: ServerBootstrap sets it on the listener and accepted sockets
      // inherit it. (`.socketOption(.tcp_nodelay)` would be SOL_SOCKET option 1, SO_DEBUG, which
      // needs CAP_NET_ADMIN: every unprivileged server died on its first connection.)
      .serverChannelInitializer { channel in
        listenerConfigurator.configure(channel: channel).flatMapThrowing {
          try channel.pipeline.syncOperations.addHandler(drain.makeHandler())
        }
      }
      .childChannelInitializer { channel in
        guard limit.acquire() else { return channel.eventLoop.makeFailedFuture(TooManyConnections()) }
        channel.closeFuture.whenComplete { _ in limit.release() }
        return channel.eventLoop.makeCompletedFuture {
          let sniffer = ProtocolSniffer(listener: drain) { channel, decision in
            switch decision {
            case .http1:
              try http1.configure(channel)
            case .http2:
              let configured = connectionConfigurator.configure(channel: channel, tls: .none)
              configured.whenSuccess { gate.deliver($0) }
              configured.whenFailure { _ in channel.close(promise: nil) }
            }
          }
          try channel.pipeline.syncOperations.addHandler(sniffer)
        }
      }
    let serverChannel: any Channel
    switch binding {
    case .address(let host, let port):
      serverChannel = try await bootstrap.bind(host: host, port: port).get()
    case .inheritedSocket(let descriptor):
      serverChannel = try await bootstrap.withBoundSocket(descriptor).get()
    }
    return try await serverChannel.eventLoop.submit {
      try serverChannel.pipeline.syncOperations.addHandler(gate)
      let connections = try NIOAsyncChannel<
        HTTP2ServerTransport.ConnectionConfigurator.ConnectionChannel, Never
      >(
        wrappingChannelSynchronously: serverChannel
      )
      try serverChannel.pipeline.syncOperations.addHandler(DeliveredConnectionSink())
      return connections
    }.get()
  }
}
