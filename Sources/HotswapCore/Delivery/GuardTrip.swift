/// The guard's verdict on one canary that breached a threshold: its traffic moves to `stable`.
public struct GuardTrip: Sendable, Equatable, Codable {
  /// The threshold that was breached.
  public enum Threshold: String, Sendable, Codable {
    /// `max_error_rate`.
    case errorRate = "error_rate"
    /// `max_p99_ms`.
    case p99 = "p99"
    /// `min_agreement`: the shadowed canary disagreed with the live slots too often.
    case agreement = "agreement"
    /// `max_p99_difference`: the shadowed canary's predictions differed too much.
    case difference = "p99_difference"
  }

  /// The canary that lost its traffic.
  public var slot: String
  /// The slot that took it.
  public var stable: String
  /// Which threshold it breached.
  public var threshold: Threshold
  /// Requests in the window when it tripped.
  public var requests: Int
  /// Server errors in the window when it tripped.
  public var errors: Int
  /// The measured p99 in milliseconds, if there were requests.
  public var p99Milliseconds: Double?
  /// The threshold's value: a rate 0…1 or milliseconds.
  public var limit: Double
  /// When it tripped, ISO 8601 (filled in by the controller).
  public var time: String?
  /// The shadow's verdict, for the shadow thresholds.
  public var shadowReason: String?

  /// Creates a trip.
  public init(
    slot: String,
    stable: String,
    threshold: Threshold,
    requests: Int,
    errors: Int,
    p99Milliseconds: Double?,
    limit: Double,
    time: String? = nil
  ) {
    self.slot = slot
    self.stable = stable
    self.threshold = threshold
    self.requests = requests
    self.errors = errors
    self.p99Milliseconds = p99Milliseconds
    self.limit = limit
    self.time = time
  }

  /// One line for the log, the audit trail and `/status`.
  public var reason: String {
    switch threshold {
    case .agreement, .difference:
      return shadowReason ?? threshold.rawValue
    case .errorRate:
      let rate = requests > 0 ? Double(errors) / Double(requests) : 0
      return
        "error rate \(Self.percent(rate)) > max_error_rate \(Self.percent(limit)) (\(errors) of \(requests) requests failed)"
    case .p99:
      return
        "p99 \(Self.number(p99Milliseconds ?? 0))ms > max_p99_ms \(Self.number(limit))ms over \(requests) requests"
    }
  }

  private static func percent(_ rate: Double) -> String {
    number(rate * 100) + "%"
  }

  private static func number(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
  }

  enum CodingKeys: String, CodingKey {
    case slot, stable, threshold, requests, errors, limit, time
    case shadowReason = "shadow_reason"
    case p99Milliseconds = "p99_ms"
  }
}
