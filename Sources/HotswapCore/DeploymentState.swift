import FoundationEssentials
import Synchronization

/// What `/status`, `/health` and `hotswap status` show about changes to the plan: the last applied
/// change, the last rejected one, and whether a restart is needed. Readable from any thread.
public final class DeploymentState: Sendable {
  /// One recorded change attempt.
  public struct Change: Sendable, Equatable {
    /// When it happened.
    public var time: Date
    /// The generation it produced (applied) or that kept serving (rejected).
    public var generation: UInt64
    /// One-line description of what changed.
    public var summary: String
    /// SHA-256 of the config file content that was read.
    public var configSHA256: String
  }

  /// The last rejected change and why.
  public struct Rejection: Sendable, Equatable {
    /// When it happened.
    public var time: Date
    /// Each error, `file:line: reason`.
    public var errors: [String]
    /// SHA-256 of the rejected config content.
    public var configSHA256: String?
  }

  /// A value copy of the whole state.
  public struct Value: Sendable, Equatable {
    /// The config file being served.
    public var configPath: String
    /// The last applied change.
    public var lastApplied: Change?
    /// The last rejection; cleared when a later change applies.
    public var lastError: Rejection?
    /// Set when `[server]` changed: the running values stay until restart.
    public var restartRequired: String?
    /// Counts of applied and rejected reloads since start.
    public var appliedCount: Int = 0
    /// Counts of rejected reloads since start.
    public var rejectedCount: Int = 0
  }

  private let state: Mutex<Value>

  /// Creates the state for a config file.
  public init(configPath: String) {
    state = Mutex(Value(configPath: configPath))
  }

  /// A copy of the current state.
  public var value: Value { state.withLock { $0 } }

  func recordApplied(_ change: Change, restartRequired: String?) {
    state.withLock {
      $0.lastApplied = change
      $0.lastError = nil
      $0.restartRequired = restartRequired
      $0.appliedCount += 1
    }
  }

  func recordRejected(_ rejection: Rejection) {
    state.withLock {
      $0.lastError = rejection
      $0.rejectedCount += 1
    }
  }
}
