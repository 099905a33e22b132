import Synchronization

/// Counts open connections against `[server] max_connections`. A connection over the limit is
/// closed as soon as it is accepted, before any byte is read, so an overload cannot exhaust
/// memory or file descriptors.
final class ConnectionLimit: Sendable {
  let maximum: Int
  private let open = Atomic<Int>(0)

  init(maximum: Int) {
    self.maximum = maximum
  }

  /// Takes a place; false when the server is full.
  func acquire() -> Bool {
    let now = open.add(1, ordering: .relaxed).newValue
    if now > maximum {
      open.subtract(1, ordering: .relaxed)
      return false
    }
    return true
  }

  /// Gives a place back when a connection closes.
  func release() {
    open.subtract(1, ordering: .relaxed)
  }

  /// Connections open now.
  var current: Int { open.load(ordering: .relaxed) }
}

/// Thrown to NIO's accept handler for a connection over the limit; NIO then closes it.
struct TooManyConnections: Error {}
