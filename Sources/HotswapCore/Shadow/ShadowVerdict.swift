import HotswapConfig

/// What the guard's shadow thresholds (`min_agreement`, `max_p99_difference`) say about the
/// shadow's window, pure: a rollout of the shadowed slot waits until it ``passes``, and a
/// shadowed canary that ``fails`` trips the guard.
public enum ShadowVerdict: Sendable, Equatable {
  /// Fewer than `min_requests` predictions compared: no verdict yet.
  case waiting(compared: Int, needed: Int)
  /// Enough predictions, and every shadow threshold holds.
  case passes(reason: String)
  /// Enough predictions, and a threshold is breached.
  case fails(threshold: GuardTrip.Threshold, reason: String)

  /// Judges `summary` under `settings`; nil when the guard sets no shadow threshold.
  public static func judge(_ summary: ShadowSummary, settings: GuardSettings) -> ShadowVerdict? {
    guard settings.judgesShadow else { return nil }
    guard summary.predictions >= settings.minRequests else {
      return .waiting(compared: summary.predictions, needed: settings.minRequests)
    }
    let agreement = summary.agreement ?? 0
    let over = "over \(summary.predictions) predictions"
    if let minimum = settings.minAgreement, agreement < minimum {
      return .fails(
        threshold: .agreement,
        reason:
          "shadow agreement \(percent(agreement)) < min_agreement \(percent(minimum)) (\(summary.disagreeing) of \(summary.predictions) predictions disagreed)"
      )
    }
    let p99 = summary.difference.quantile(0.99)
    if let maximum = settings.maxP99Difference, let p99, p99 > maximum {
      return .fails(
        threshold: .difference,
        reason: "shadow p99 difference \(number(p99)) > max_p99_difference \(number(maximum)) \(over)"
      )
    }
    var parts: [String] = []
    if let minimum = settings.minAgreement {
      parts.append("agreement \(percent(agreement)) ≥ \(percent(minimum))")
    }
    if let maximum = settings.maxP99Difference {
      parts.append("p99 difference \(p99.map(number) ?? "none") ≤ \(number(maximum))")
    }
    return .passes(reason: "shadow " + parts.joined(separator: ", ") + " " + over)
  }

  /// One line for `/status` and the log.
  public var description: String {
    switch self {
    case .waiting(let compared, let needed):
      return "waiting for the shadow: \(compared) of \(needed) predictions compared"
    case .passes(let reason), .fails(_, let reason): return reason
    }
  }

  static func percent(_ rate: Double) -> String {
    number(rate * 100) + "%"
  }

  static func number(_ value: Double) -> String {
    guard value.isFinite else { return "∞" }
    let rounded = (value * 100).rounded() / 100
    if rounded == 0, value != 0 { return "\(value)" }
    return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int64(rounded)) : String(rounded)
  }
}
