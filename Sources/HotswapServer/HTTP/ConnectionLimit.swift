import Logging
import NIOCore
import Synchronization

/// Counts open connections against `[server] max_connections`. A connection over the limit is
/// closed as soon as it is accepted, before any byte is read, and counted
/// (`hotswap_connections_rejected_total`); a log line says so at most every
/// `logInterval`, with how many were refused since the last one. The listener goes on accepting.
final class ConnectionLimit: Sendable {
  let maximum: Int
  let counters: ConnectionCounters
  private let logger: Logger
  private let lastLog = Mutex<(at: ContinuousClock.Instant?, logged: Int)>((nil, 0))
  /// The shortest time between two "refused" log lines.
  static let logInterval = Duration.seconds(10)

  init(maximum: Int, counters: ConnectionCounters, logger: Logger) {
    self.maximum = maximum
    self.counters = counters
    self.logger = logger
  }

  /// Takes a place; false when the server is full (the connection is then counted as refused).
  func acquire() -> Bool {
    if counters.opened() > maximum {
      counters.closed()
      refused()
      return false
    }
    return true
  }

  /// Gives a place back when a connection closes.
  func release() {
    counters.closed()
  }

  /// Connections open now.
  var current: Int { counters.open }

  private func refused() {
    let total = counters.countRejected()
    let now = ContinuousClock.now
    let since: Int? = lastLog.withLock { last in
      if let at = last.at, now - at < Self.logInterval { return nil }
      defer { last = (now, total) }
      return total - last.logged
    }
    guard let since else { return }
    logger.warning(
      "connection refused: max_connections are open; raise [server] max_connections if this is real traffic",
      metadata: [
        "connections.max": "\(maximum)", "connections.refused": "\(since)",
        "connections.refused_total": "\(total)",
      ]
    )
  }
}

/// The error a connection over the limit fails its setup with; the listener guard drops it.
struct TooManyConnections: Error {}
