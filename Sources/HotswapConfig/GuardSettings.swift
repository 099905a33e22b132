/// The optional `[guard]` table: thresholds that take traffic away from a failing canary.
public struct GuardSettings: Sendable, Equatable {
  /// The highest tolerated error rate, 0…1 (`max_error_rate`).
  public let maxErrorRate: Double?
  /// The highest tolerated 99th-percentile latency in milliseconds (`max_p99_ms`).
  public let maxP99Milliseconds: Double?
  /// How many requests a window needs before the guard judges it (`min_requests`, default 100).
  public let minRequests: Int
  /// The sliding window the rates are measured over (`window`, default 60 s).
  public let window: Duration
  /// The lowest tolerated agreement of the shadow with the live slots, 0…1 (`min_agreement`):
  /// a rollout of the shadowed slot waits for it, and the shadowed slot trips below it once it
  /// takes traffic. Needs `[shadow]`.
  public let minAgreement: Double?
  /// The highest tolerated 99th percentile of the difference between the shadow's and the live
  /// predictions (`max_p99_difference`): the absolute difference for regressors, the largest
  /// class-probability difference for classifiers. Needs `[shadow]`.
  public let maxP99Difference: Double?

  /// Creates guard settings.
  public init(
    maxErrorRate: Double? = nil,
    maxP99Milliseconds: Double? = nil,
    minRequests: Int = 100,
    window: Duration = .seconds(60),
    minAgreement: Double? = nil,
    maxP99Difference: Double? = nil
  ) {
    self.maxErrorRate = maxErrorRate
    self.maxP99Milliseconds = maxP99Milliseconds
    self.minRequests = minRequests
    self.window = window
    self.minAgreement = minAgreement
    self.maxP99Difference = maxP99Difference
  }

  /// Whether the guard judges the shadow too (`min_agreement` or `max_p99_difference`).
  public var judgesShadow: Bool { minAgreement != nil || maxP99Difference != nil }
}
