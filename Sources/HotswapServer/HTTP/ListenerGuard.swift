import Logging
import NIOCore
import Synchronization

/// The last handler of the listening socket's pipeline. Whatever goes wrong while accepting a
/// connection or setting it up — a connection over `max_connections`, a failed setsockopt, a full
/// file table — NIO reports on the listening channel; this handler ends that report here, so it
/// is that connection's failure only and never the listener's or the server's (grpc-swift-2's
/// transport turned such an error into the end of the server: the hostile-network issue, row 2).
/// Connections refused by the limit are counted and logged by `ConnectionLimit`; anything else is
/// logged at most every 10 s.
final class ListenerGuard: ChannelInboundHandler, Sendable {
  typealias InboundIn = any Channel

  private let logger: Logger
  private let lastLog = Mutex<(at: ContinuousClock.Instant?, suppressed: Int)>((nil, 0))
  /// The shortest time between two log lines.
  static let logInterval = Duration.seconds(10)

  init(logger: Logger) {
    self.logger = logger
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    if error is TooManyConnections { return }
    let now = ContinuousClock.now
    let suppressed: Int? = lastLog.withLock { last in
      if let at = last.at, now - at < Self.logInterval {
        last.suppressed += 1
        return nil
      }
      defer { last = (now, 0) }
      return last.suppressed
    }
    guard let suppressed else { return }
    logger.warning(
      "a connection could not be accepted or set up; the server goes on",
      metadata: ["error": "\(error)", "errors.suppressed": "\(suppressed)"]
    )
  }
}
