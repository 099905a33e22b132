import Synchronization

/// Holds the current snapshot. The lock guards only the reference swap: requests take the
/// reference and run without it; a publish is one store. The old snapshot is freed by reference
/// counting when its last in-flight request drops it.
public final class SnapshotStore: Sendable {
  private let current = Mutex<Snapshot?>(nil)

  /// Creates an empty store (nothing served until the first publish).
  public init() {}

  /// The snapshot to serve with, or nil before the first plan is published.
  public var snapshot: Snapshot? {
    current.withLock { $0 }
  }

  /// Publishes a new snapshot; the next request uses it.
  public func publish(_ snapshot: Snapshot) {
    current.withLock { $0 = snapshot }
  }
}
