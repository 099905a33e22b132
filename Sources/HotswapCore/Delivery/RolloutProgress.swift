import FoundationEssentials

/// Where a stepped rollout stands; persisted in the state directory so a restart resumes it.
public struct RolloutProgress: Sendable, Equatable, Codable {
  /// The rollout's state.
  public enum State: String, Sendable, Codable {
    /// Not started: the slot is being shadowed and the guard's shadow thresholds
    /// (`min_agreement`, `max_p99_difference`) have not passed yet; the slot takes no traffic.
    case waiting = "waiting_for_shadow"
    /// Raising the slot's share step by step.
    case running
    /// Reached 100 %: the slot takes all traffic.
    case promoted
    /// Reached its last step below 100 % and holds there.
    case completed
    /// The guard tripped: the slot lost its traffic.
    case rolledBack = "rolled_back"
  }

  /// The slot whose share grows.
  public var slot: String
  /// The current step, 0-based.
  public var stepIndex: Int
  /// When the rollout started.
  public var startedAt: Date
  /// When the current step started.
  public var stepStartedAt: Date
  /// The state.
  public var state: State
  /// When it ended (promoted, completed or rolled back).
  public var endedAt: Date?

  /// Creates progress.
  public init(
    slot: String,
    stepIndex: Int,
    startedAt: Date,
    stepStartedAt: Date,
    state: State,
    endedAt: Date? = nil
  ) {
    self.slot = slot
    self.stepIndex = stepIndex
    self.startedAt = startedAt
    self.stepStartedAt = stepStartedAt
    self.state = state
    self.endedAt = endedAt
  }

  enum CodingKeys: String, CodingKey {
    case slot, state
    case stepIndex = "step_index"
    case startedAt = "started_at"
    case stepStartedAt = "step_started_at"
    case endedAt = "ended_at"
  }
}
