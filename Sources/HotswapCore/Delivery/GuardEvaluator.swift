import HotswapConfig

/// The guard's judgement, pure: given the thresholds, the roles of the slots and what each canary
/// served in the window, which canaries must lose their traffic. A canary is judged only once it
/// has served `min_requests` in the window; errors count, client mistakes do not.
public struct GuardEvaluator: Sendable {
  /// The thresholds.
  public let settings: GuardSettings

  /// Creates an evaluator.
  public init(settings: GuardSettings) {
    self.settings = settings
  }

  /// The canaries that breach a threshold, by slot name; the error rate is checked first.
  public func evaluate(roles: TrafficRoles, summaries: [String: WindowSummary]) -> [GuardTrip] {
    guard let stable = roles.stable else { return [] }
    return roles.canaries.compactMap { canary in
      guard let summary = summaries[canary] else { return nil }
      return evaluate(canary: canary, stable: stable, summary: summary)
    }
  }

  /// The verdict on one canary's window, nil while it holds.
  public func evaluate(canary: String, stable: String, summary: WindowSummary) -> GuardTrip? {
    guard summary.requests >= settings.minRequests else { return nil }
    if let limit = settings.maxErrorRate, summary.errorRate > limit {
      return GuardTrip(
        slot: canary,
        stable: stable,
        threshold: .errorRate,
        requests: summary.requests,
        errors: summary.errors,
        p99Milliseconds: summary.p99Milliseconds,
        limit: limit
      )
    }
    if let limit = settings.maxP99Milliseconds, let p99 = summary.p99Milliseconds, p99 > limit {
      return GuardTrip(
        slot: canary,
        stable: stable,
        threshold: .p99,
        requests: summary.requests,
        errors: summary.errors,
        p99Milliseconds: p99,
        limit: limit
      )
    }
    return nil
  }

  /// The verdict on a canary that is also the shadow, from the shadow's window: it trips when it
  /// disagrees with the live slots more than `min_agreement` allows (or differs more than
  /// `max_p99_difference`), like an error-rate breach. Nil while it holds or has too few
  /// predictions compared.
  public func evaluate(shadowedCanary canary: String, stable: String, shadow: ShadowSummary) -> GuardTrip? {
    guard case .fails(let threshold, let reason) = ShadowVerdict.judge(shadow, settings: settings) else {
      return nil
    }
    var trip = GuardTrip(
      slot: canary,
      stable: stable,
      threshold: threshold,
      requests: shadow.predictions,
      errors: shadow.disagreeing,
      p99Milliseconds: nil,
      limit: threshold == .agreement ? settings.minAgreement ?? 0 : settings.maxP99Difference ?? 0
    )
    trip.shadowReason = reason
    return trip
  }
}
