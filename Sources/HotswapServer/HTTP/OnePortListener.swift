import Logging
import NIOCore
import NIOPosix

/// The one listening port for every protocol. Each accepted connection starts with a
/// `ProtocolSniffer`, which hands HTTP/2 connections to `HTTP2Pipeline` (gRPC) and everything else
/// to `HTTP1Pipeline` (REST). Connections over `max_connections` are closed unread; nothing that
/// happens to one connection reaches the listener (`ListenerGuard`).
struct OnePortListener: Sendable {
  let eventLoopGroup: any EventLoopGroup
  let binding: ListenBinding
  let http1: HTTP1Pipeline
  let http2: HTTP2Pipeline
  let limit: ConnectionLimit
  let tracker: ConnectionTracker
  let drain: ListenerDrain
  /// How long a connection may stay silent before it says which protocol it speaks.
  let idleTimeout: TimeAmount
  let logger: Logger

  /// `127.0.0.1:8080`, or the inherited descriptor, for messages.
  var described: String {
    switch binding {
    case .address(let host, let port):
      return host.contains(":" as Character) ? "[\(host)]:\(port)" : "\(host):\(port)"
    case .inheritedSocket(let descriptor):
      return "the socket passed by systemd (fd \(descriptor))"
    }
  }

  /// Creates (or takes over) the listening socket and starts accepting.
  func bind() async throws(ListenError) -> any Channel {
    let descriptor: CInt
    let backlog: Int32?
    switch binding {
    case .address(let host, let port):
      descriptor = try ListenSocket.open(host: host, port: port, described: described)
      backlog = ListenSocket.backlog
    case .inheritedSocket(let inherited):
      descriptor = inherited
      // systemd's Backlog=, read before NIO replaces it.
      backlog = ListenSocket.backlog(of: inherited)
      if backlog == nil {
        logger.warning(
          "the inherited socket's backlog cannot be read (not a listening TCP socket?); NIO's 128 applies",
          metadata: ["listen.fd": "\(inherited)"]
        )
      }
    }
    let channel: any Channel
    do {
      channel = try await bootstrap().withBoundSocket(descriptor).get()
    } catch {
      throw ListenError(address: described, call: .register, errno: nil, detail: "\(error)")
    }
    if let backlog {
      do throws(ListenError) {
        try ListenSocket.restore(backlog: backlog, on: descriptor, described: described)
      } catch {
        channel.close(promise: nil)
        throw error
      }
    }
    let logger = self.logger
    do {
      try await channel.eventLoop.submit {
        try channel.pipeline.syncOperations.addHandler(ListenerGuard(logger: logger))
      }.get()
    } catch {
      channel.close(promise: nil)
      throw ListenError(address: described, call: .register, errno: nil, detail: "\(error)")
    }
    return channel
  }

  private func bootstrap() -> ServerBootstrap {
    let drain = self.drain
    let limit = self.limit
    let tracker = self.tracker
    let http1 = self.http1
    let http2 = self.http2
    let idleTimeout = self.idleTimeout
    return ServerBootstrap(group: eventLoopGroup)
      // No child TCP_NODELAY option: ServerBootstrap sets it on accepted sockets itself.
      // (`.socketOption(.tcp_nodelay)` would be SOL_SOCKET option 1, SO_DEBUG, which needs
      // CAP_NET_ADMIN: every unprivileged server died on its first connection.)
      .serverChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(drain.makeHandler())
          // Out of descriptors or memory: stop accepting for a second instead of spinning.
          try channel.pipeline.syncOperations.addHandler(
            AcceptBackoffHandler(shouldForwardIOErrorCaught: true)
          )
        }
      }
      .childChannelInitializer { channel in
        guard limit.acquire() else { return channel.eventLoop.makeFailedFuture(TooManyConnections()) }
        channel.closeFuture.whenComplete { _ in limit.release() }
        tracker.add(channel)
        return channel.eventLoop.makeCompletedFuture {
          let sniffer = ProtocolSniffer(listener: drain, idleTimeout: idleTimeout) { channel, decision in
            switch decision {
            case .http1: try http1.configure(channel)
            case .http2: try http2.configure(channel)
            }
          }
          try channel.pipeline.syncOperations.addHandler(sniffer)
        }
      }
  }
}
