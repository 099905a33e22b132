import GRPCCore
import GRPCNIOTransportCore
import Logging
import NIOCore
import NIOPosix

/// The server on its one port: REST over HTTP/1.1 and gRPC over HTTP/2, told apart per
/// connection. `run()` serves until `beginGracefulShutdown()`, which stops accepting, lets
/// requests in flight finish, and returns once every connection has closed.
public final class HotswapServer: Sendable {
  private let transport: HTTP2ServerTransport.Custom<OnePortListenerFactory>
  private let grpcServer: GRPCServer<MessageSizeLimit<HTTP2ServerTransport.Custom<OnePortListenerFactory>>>
  private let environment: ServingEnvironment
  private let limit: ConnectionLimit

  /// Creates a server. `services` are the gRPC services registered on the port.
  public init(
    environment: ServingEnvironment,
    binding: ListenBinding,
    services: [any RegistrableRPCService],
    eventLoopGroup: MultiThreadedEventLoopGroup = .singletonMultiThreadedEventLoopGroup,
    threadPool: NIOThreadPool = .singleton
  ) {
    let settings = environment.settings
    self.environment = environment
    limit = ConnectionLimit(maximum: settings.maxConnections)
    let http1 = HTTP1Pipeline(
      router: RESTRouter(environment: environment),
      threadPool: threadPool,
      maxBodyBytes: settings.maxBodyBytes,
      maxHeaderBytes: settings.maxHeaderBytes,
      idleTimeout: Self.timeAmount(settings.idleTimeout),
      requestTimeout: Self.timeAmount(settings.requestTimeout)
    )
    let factory = OnePortListenerFactory(
      eventLoopGroup: eventLoopGroup,
      binding: binding,
      http1: http1,
      limit: limit
    )
    var config = HTTP2ServerTransport.Custom<OnePortListenerFactory>.Config.defaults
    config.rpc.maxRequestPayloadSize = MessageSizeLimit<HTTP2ServerTransport.Custom<OnePortListenerFactory>>
      .transportLimit(for: settings.maxMessageBytes)
    config.connection.maxIdleTime = settings.idleTimeout
    transport = HTTP2ServerTransport.Custom(listenerFactory: factory, config: config)
    grpcServer = GRPCServer(
      transport: MessageSizeLimit(inner: transport, limit: settings.maxMessageBytes),
      services: services
    )
  }

  /// Serves until shut down, then waits for every connection — REST ones included, which gRPC
  /// does not track — to finish its request and close. Throws if the port cannot be bound.
  public func run() async throws {
    try await grpcServer.serve()
    do {
      while limit.current > 0 {
        try await Task.sleep(for: .milliseconds(5))
      }
    } catch {
      // The drain timeout ran out: what is still open closes with the process.
    }
  }

  /// Stops accepting and closes connections as their requests finish.
  public func beginGracefulShutdown() {
    // Open health watches say NOT_SERVING and end, so the drain does not wait on them.
    environment.shutdown.trigger()
    grpcServer.beginGracefulShutdown()
  }

  /// The bound port, once listening (nil if binding failed or the server stopped).
  public var listeningPort: Int? {
    get async {
      guard let address = await transport.listeningAddress else { return nil }
      if let ipv4 = address.ipv4 { return ipv4.port }
      if let ipv6 = address.ipv6 { return ipv6.port }
      return nil
    }
  }

  /// Connections open now.
  public var openConnections: Int { limit.current }

  static func timeAmount(_ duration: Duration) -> TimeAmount {
    let (seconds, attoseconds) = duration.components
    return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
  }
}
