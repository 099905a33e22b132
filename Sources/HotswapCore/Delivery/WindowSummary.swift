/// What one slot served over a window: the numbers the guard judges and the status page shows.
public struct WindowSummary: Sendable, Equatable {
  /// Requests served (every outcome).
  public var requests: Int
  /// Server-side failures among them (5xx, inference failures, deadlines exceeded).
  public var errors: Int
  /// Client mistakes among them (4xx); they never count against a slot.
  public var clientErrors: Int
  /// The 99th-percentile duration, nil without requests.
  public var p99: Duration?
  /// The length of time the numbers cover.
  public var span: Duration

  /// Creates a summary.
  public init(requests: Int = 0, errors: Int = 0, clientErrors: Int = 0, p99: Duration? = nil, span: Duration)
  {
    self.requests = requests
    self.errors = errors
    self.clientErrors = clientErrors
    self.p99 = p99
    self.span = span
  }

  /// Server errors over requests, 0 without requests.
  public var errorRate: Double {
    requests > 0 ? Double(errors) / Double(requests) : 0
  }

  /// Requests per second over the span.
  public var requestsPerSecond: Double {
    let seconds = span.inSeconds
    return seconds > 0 ? Double(requests) / seconds : 0
  }

  /// The p99 in milliseconds, nil without requests.
  public var p99Milliseconds: Double? {
    p99.map { $0.inSeconds * 1000 }
  }
}

extension Duration {
  /// The duration in seconds as a floating-point number.
  public var inSeconds: Double {
    let (seconds, attoseconds) = components
    return Double(seconds) + Double(attoseconds) / 1e18
  }
}
