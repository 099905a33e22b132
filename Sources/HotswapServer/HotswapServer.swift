import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The server on its one port: REST over HTTP/1.1 and gRPC over HTTP/2, told apart per
/// connection, both answered by our own handlers on the event loops. `run()` serves until
/// `beginGracefulShutdown()`, which stops accepting, lets requests and calls in flight finish,
/// and returns once every connection has closed.
public final class HotswapServer: Sendable {
  private enum State {
    case created
    case listening(any Channel)
    case shuttingDown
  }

  private let environment: ServingEnvironment
  private let listener: OnePortListener
  private let tracker: ConnectionTracker
  private let limit: ConnectionLimit
  private let state = Mutex(State.created)

  /// Creates a server; `logger` receives the listener's warnings (refused connections).
  public init(
    environment: ServingEnvironment,
    binding: ListenBinding,
    logger: Logger = Logger(label: "hotswap", factory: { _ in SwiftLogNoOpLogHandler() }),
    eventLoopGroup: MultiThreadedEventLoopGroup = .singletonMultiThreadedEventLoopGroup,
    threadPool: NIOThreadPool = .singleton
  ) {
    let settings = environment.settings
    self.environment = environment
    tracker = ConnectionTracker()
    limit = ConnectionLimit(
      maximum: settings.maxConnections,
      counters: environment.connections,
      logger: logger
    )
    let idleTimeout = TimeAmount.clamped(settings.idleTimeout)
    let http1 = HTTP1Pipeline(
      router: RESTRouter(environment: environment),
      threadPool: threadPool,
      maxBodyBytes: settings.maxBodyBytes,
      maxHeaderBytes: settings.maxHeaderBytes,
      idleTimeout: idleTimeout,
      requestTimeout: TimeAmount.clamped(settings.requestTimeout)
    )
    let http2 = HTTP2Pipeline(
      services: GRPCServices(environment: environment),
      environment: environment,
      threadPool: threadPool,
      maxHeaderListSize: settings.maxHeaderBytes
    )
    listener = OnePortListener(
      eventLoopGroup: eventLoopGroup,
      binding: binding,
      http1: http1,
      http2: http2,
      limit: limit,
      tracker: tracker,
      drain: ListenerDrain(),
      idleTimeout: idleTimeout,
      logger: logger
    )
  }

  /// Serves until shut down, then waits for every connection to finish its requests and close.
  /// Throws a `ListenError` if the port cannot be bound, and `ListenerClosed` if the listening
  /// socket closes without a shutdown.
  public func run() async throws {
    let channel: any Channel
    do {
      channel = try await listener.bind()
    } catch {
      environment.boundAddress.settle(nil)
      throw error
    }
    environment.boundAddress.settle(channel.localAddress)
    let shutDownAlready = state.withLock { state in
      guard case .created = state else { return true }
      state = .listening(channel)
      return false
    }
    if shutDownAlready { stopAccepting(channel) }
    await withTaskCancellationHandler {
      try? await channel.closeFuture.get()
    } onCancel: {
      channel.close(promise: nil)
    }
    guard case .shuttingDown = state.withLock({ $0 }) else {
      throw ListenerClosed(address: listener.described)
    }
    await tracker.waitUntilEmpty()
  }

  /// Stops accepting and closes connections as their requests finish.
  public func beginGracefulShutdown() {
    // Open health watches say NOT_SERVING and end, so the drain does not wait on them.
    environment.shutdown.trigger()
    let channel: (any Channel)? = state.withLock { state in
      defer { state = .shuttingDown }
      if case .listening(let channel) = state { return channel }
      return nil
    }
    if let channel { stopAccepting(channel) }
    tracker.quiesceAll()
  }

  private func stopAccepting(_ channel: any Channel) {
    // Through the pipeline, so ListenerDrain lets connections being set up finish first.
    channel.close(promise: nil)
  }

  /// The bound address, once listening (nil if binding failed).
  public var listeningAddress: SocketAddress? {
    get async { await environment.boundAddress.wait() }
  }

  /// The bound port, once listening (nil if binding failed).
  public var listeningPort: Int? {
    get async { await listeningAddress?.port }
  }

  /// Connections open now.
  public var openConnections: Int { tracker.count }
}

/// The listening socket closed although no shutdown was asked for.
public struct ListenerClosed: Error, CustomStringConvertible {
  /// Where it listened.
  public let address: String

  public var description: String {
    "the listening socket on \(address) closed unexpectedly; restart hotswap"
  }
}
