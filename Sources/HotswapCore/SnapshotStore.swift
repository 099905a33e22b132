import Synchronization

/// Holds the current snapshot. The lock guards only the reference swap: requests take the
/// reference and run without it; a publish is one store. The old snapshot is freed by reference
/// counting when its last in-flight request drops it.
public final class SnapshotStore: Sendable {
  private struct Observers {
    var nextID = 0
    var continuations: [Int: AsyncStream<Snapshot>.Continuation] = [:]
  }

  private let current = Mutex<Snapshot?>(nil)
  private let observers = Mutex(Observers())

  /// Creates an empty store (nothing served until the first publish).
  public init() {}

  /// The snapshot to serve with, or nil before the first plan is published.
  public var snapshot: Snapshot? {
    current.withLock { $0 }
  }

  /// Publishes a new snapshot; the next request uses it. Observers hear of it afterwards.
  public func publish(_ snapshot: Snapshot) {
    current.withLock { $0 = snapshot }
    let continuations = observers.withLock { Array($0.continuations.values) }
    for continuation in continuations { continuation.yield(snapshot) }
  }

  /// Every snapshot published from now on, starting with the current one (if any). For
  /// streaming health checks and status pages; never on the request path.
  public func changes() -> AsyncStream<Snapshot> {
    let (stream, continuation) = AsyncStream.makeStream(
      of: Snapshot.self,
      bufferingPolicy: .bufferingNewest(1)
    )
    let id = observers.withLock { observers in
      defer { observers.nextID += 1 }
      observers.continuations[observers.nextID] = continuation
      return observers.nextID
    }
    continuation.onTermination = { [weak self] _ in
      self?.observers.withLock { _ = $0.continuations.removeValue(forKey: id) }
    }
    if let snapshot { continuation.yield(snapshot) }
    return stream
  }
}
