/// A bounded exponential backoff for re-trying a watch that could not be added (a directory that
/// is being recreated, a permission being fixed). Pure: no clock of its own.
struct RetryBackoff: Equatable, Sendable {
  /// The first delay.
  static let initial = Duration.milliseconds(10)
  /// The longest delay.
  static let maximum = Duration.seconds(2)

  private var nextDelay = RetryBackoff.initial

  /// The delay to wait now; doubles each call up to ``maximum``.
  mutating func next() -> Duration {
    let delay = nextDelay
    nextDelay = min(nextDelay * 2, Self.maximum)
    return delay
  }

  /// Starts again from ``initial`` after a success.
  mutating func reset() {
    nextDelay = Self.initial
  }
}
