import Synchronization

/// The listener's counters, shared with `/metrics`: connections open now and connections refused
/// because `max_connections` were open.
public final class ConnectionCounters: Sendable {
  private let openNow = Atomic<Int>(0)
  private let rejectedTotal = Atomic<Int>(0)

  /// Creates zeroed counters.
  public init() {}

  /// Connections open now.
  public var open: Int { openNow.load(ordering: .relaxed) }

  /// Connections refused since start (`hotswap_connections_rejected_total`).
  public var rejected: Int { rejectedTotal.load(ordering: .relaxed) }

  func opened() -> Int { openNow.add(1, ordering: .relaxed).newValue }

  func closed() { openNow.subtract(1, ordering: .relaxed) }

  func countRejected() -> Int { rejectedTotal.add(1, ordering: .relaxed).newValue }
}
