/// The optional `[rollout]` table: a canary that grows step by step.
public struct RolloutSettings: Sendable, Equatable {
  /// The slot that receives the growing share.
  public let slot: String
  /// The slot's share at each step in percent, strictly increasing, each in (0, 100].
  public let steps: [Double]
  /// How long each step lasts.
  public let every: Duration

  /// Creates rollout settings.
  public init(slot: String, steps: [Double], every: Duration) {
    self.slot = slot
    self.steps = steps
    self.every = every
  }
}
