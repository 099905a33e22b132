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

  /// Creates guard settings.
  public init(
    maxErrorRate: Double? = nil,
    maxP99Milliseconds: Double? = nil,
    minRequests: Int = 100,
    window: Duration = .seconds(60)
  ) {
    self.maxErrorRate = maxErrorRate
    self.maxP99Milliseconds = maxP99Milliseconds
    self.minRequests = minRequests
    self.window = window
  }
}
