import Synchronization

/// The changes submitted to the reconciler and not yet taken by a pass, merged: however many
/// saves arrive while a pass runs, the next pass reads the file once.
final class ReloadInbox: Sendable {
  /// The merged changes one pass handles.
  struct Pending: Sendable, Equatable {
    /// The most telling trigger among those merged (startup, then SIGHUP, then a config change,
    /// then a model change), for logs and the audit trail.
    var trigger: Reconciler.Trigger
    /// Every model path reported changed.
    var modelPaths: Set<String> = []

    mutating func merge(_ other: Reconciler.Trigger) {
      if case .modelChanged(let path) = other { modelPaths.insert(path) }
      if Self.rank(other) > Self.rank(trigger) { trigger = other }
    }

    private static func rank(_ trigger: Reconciler.Trigger) -> Int {
      switch trigger {
      case .startup: 5
      case .signal: 4
      case .configChanged: 3
      case .modelChanged: 2
      case .guardTrip, .rolloutStep: 1
      }
    }
  }

  private let pending = Mutex<Pending?>(nil)

  /// Adds a change.
  func add(_ trigger: Reconciler.Trigger) {
    pending.withLock { pending in
      if pending == nil {
        pending = Pending(trigger: trigger)
        if case .modelChanged(let path) = trigger { pending?.modelPaths = [path] }
      } else {
        pending?.merge(trigger)
      }
    }
  }

  /// Takes every change added since the last take; nil when there is none.
  func take() -> Pending? {
    pending.withLock { pending in
      defer { pending = nil }
      return pending
    }
  }

  /// Whether a change waits.
  var hasPending: Bool {
    pending.withLock { $0 != nil }
  }
}
