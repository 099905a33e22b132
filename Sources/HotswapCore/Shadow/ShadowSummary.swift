/// What the shadow did over a span of time: copies compared, failed and dropped, predictions
/// compared and agreeing, the distribution of their differences, and the latencies of the shadow
/// run beside those of the live answers it mirrored. Summed from ``ShadowWindow`` buckets, and
/// kept as totals since the shadow began.
public struct ShadowSummary: Sendable, Equatable {
  /// Requests the shadow ran and compared.
  public var compared: Int = 0
  /// Requests the shadow failed (its model failed, or the input did not fit it).
  public var errors: Int = 0
  /// Copies dropped before they ran: the queue was full, or the server stopped.
  public var dropped: Int = 0
  /// Predictions compared (one per input row).
  public var predictions: Int = 0
  /// Predictions on which the shadow agreed with the live answer.
  public var agreeing: Int = 0
  /// Absolute differences (probability differences for classifiers).
  public var difference = DifferenceHistogram()
  /// Relative differences (regressors).
  public var relativeDifference = DifferenceHistogram()
  /// The largest absolute difference seen, nil before any.
  public var maxDifference: Double?
  /// How long the shadow model took per request.
  public var shadowLatency = LatencyHistogram()
  /// How long the live answers took, for the same requests.
  public var liveLatency = LatencyHistogram()

  /// Creates an empty summary.
  public init() {}

  /// Requests the shadow ran: compared or failed.
  public var mirrored: Int { compared + errors }

  /// Agreeing predictions over compared ones, nil before any.
  public var agreement: Double? {
    predictions > 0 ? Double(agreeing) / Double(predictions) : nil
  }

  /// Predictions on which the shadow disagreed.
  public var disagreeing: Int { predictions - agreeing }

  /// Adds another summary to this one.
  public mutating func add(_ other: ShadowSummary) {
    compared += other.compared
    errors += other.errors
    dropped += other.dropped
    predictions += other.predictions
    agreeing += other.agreeing
    difference.add(other.difference)
    relativeDifference.add(other.relativeDifference)
    if let value = other.maxDifference { maxDifference = max(maxDifference ?? value, value) }
    shadowLatency.add(other.shadowLatency)
    liveLatency.add(other.liveLatency)
  }

  /// Counts one compared request: its rows' comparisons and both latencies.
  public mutating func record(
    _ comparisons: some Collection<PredictionComparison>,
    shadowNanoseconds: Int64,
    liveNanoseconds: Int64
  ) {
    compared += 1
    predictions += comparisons.count
    for comparison in comparisons {
      if comparison.agrees { agreeing += 1 }
      if let value = comparison.difference {
        difference.record(value)
        maxDifference = max(maxDifference ?? value, value.isNaN ? .infinity : value)
      }
      if let value = comparison.relativeDifference { relativeDifference.record(value) }
    }
    shadowLatency.record(nanoseconds: shadowNanoseconds)
    liveLatency.record(nanoseconds: liveNanoseconds)
  }

  /// Clears everything, keeping the histograms' storage.
  public mutating func reset() {
    compared = 0
    errors = 0
    dropped = 0
    predictions = 0
    agreeing = 0
    difference.reset()
    relativeDifference.reset()
    maxDifference = nil
    shadowLatency.reset()
    liveLatency.reset()
  }
}
