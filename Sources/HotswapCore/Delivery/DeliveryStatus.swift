import FoundationEssentials
import HotswapConfig

/// What the guard and the rollout are doing, as `/status`, the metrics and the status page show it.
public struct DeliveryStatus: Sendable {
  /// The guard's thresholds, nil without `[guard]`.
  public var guardSettings: GuardSettings?
  /// Whether requests are being observed (false with `--no-metrics`: the guard cannot judge).
  public var guardSees: Bool
  /// Trips in force for the current config file.
  public var trips: [GuardTrip]
  /// Trips per slot since the process started.
  public var tripCounts: [String: Int]
  /// The rollout's settings, nil without `[rollout]`.
  public var rolloutSettings: RolloutSettings?
  /// The rollout's progress.
  public var rollout: RolloutProgress?
  /// The rollout slot's share in percent.
  public var rolloutPercent: Double?
  /// When the next step is due.
  public var nextStepAt: Date?
  /// Time left until the next step.
  public var timeToNextStep: Duration?
  /// Stable and canary slots under the served weights.
  public var roles: TrafficRoles
  /// The guard's shadow thresholds on the shadow's window at the last evaluation (every 250 ms),
  /// when the guard sets them and the plan has a shadow: what a waiting rollout waits for, and
  /// what trips a shadowed canary.
  public var shadowVerdict: ShadowVerdict?
  /// When the window the guard judges began (the last change of the config file).
  public var armedAt: ContinuousClock.Instant?

  /// Nothing configured and nothing happened.
  public static let idle = DeliveryStatus(
    guardSettings: nil,
    guardSees: false,
    trips: [],
    tripCounts: [:],
    rolloutSettings: nil,
    rollout: nil,
    rolloutPercent: nil,
    nextStepAt: nil,
    timeToNextStep: nil,
    roles: TrafficRoles(stable: nil, canaries: []),
    shadowVerdict: nil,
    armedAt: nil
  )

  /// The rollout's current step, 1-based (0 without a rollout or after a rollback).
  public var rolloutStepNumber: Int {
    guard let rollout, rollout.state != .rolledBack, rollout.state != .waiting else { return 0 }
    return rollout.stepIndex + 1
  }
}
