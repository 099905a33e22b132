import Synchronization

/// Fired once when the server begins to shut down. Long-lived calls (gRPC health watches) wait
/// on it to say goodbye and end, so the drain does not wait for their clients to hang up.
public final class ShutdownSignal: Sendable {
  private struct State {
    var triggered = false
    var nextID = 0
    var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
  }

  private let state = Mutex(State())

  /// Creates a signal that has not fired.
  public init() {}

  /// Whether the signal has fired.
  public var isTriggered: Bool { state.withLock { $0.triggered } }

  /// Fires the signal: every waiter returns. Later calls do nothing.
  public func trigger() {
    let waiters = state.withLock { state in
      state.triggered = true
      defer { state.waiters = [:] }
      return state.waiters
    }
    for waiter in waiters.values { waiter.resume() }
  }

  /// Returns once the signal has fired, or when the calling task is cancelled.
  public func wait() async {
    let id = state.withLock { state in
      defer { state.nextID += 1 }
      return state.nextID
    }
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let resumeNow = state.withLock { state in
          if state.triggered || Task.isCancelled { return true }
          state.waiters[id] = continuation
          return false
        }
        if resumeNow { continuation.resume() }
      }
    } onCancel: {
      let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
      waiter?.resume()
    }
  }
}
