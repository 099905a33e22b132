/// Something the guard or the rollout did, for the log, the audit trail and the metrics.
public enum DeliveryEvent: Sendable, Equatable {
  /// A canary breached a threshold and lost its traffic.
  case guardTripped(GuardTrip)
  /// The rollout moved to a new step (0-based index) with this share in percent.
  case rolloutStep(slot: String, stepIndex: Int, percent: Double)
  /// The rollout reached 100 %.
  case rolloutPromoted(slot: String)
  /// The rollout reached its last step below 100 % and holds there.
  case rolloutCompleted(slot: String, percent: Double)
  /// The guard stopped the rollout.
  case rolloutRolledBack(slot: String, stepIndex: Int)
}
