import HotswapCore
import Prometheus
import Synchronization

/// The shadow's Prometheus metrics: request outcomes, compared predictions and disagreements,
/// the distribution of differences and the shadow's run time per slot, fed from the shadow's
/// thread once per batch of copies; drops, the queue and the window's agreement are brought up to date at each scrape.
public final class ShadowMetrics: ShadowObserver, Sendable {
  private struct Series: Sendable {
    let compared: Counter
    let failed: Counter
    let dropped: Counter
    let predictions: Counter
    let disagreements: Counter
    let difference: ValueHistogram
    let latency: DurationHistogram
    let agreement: Gauge
  }

  private struct Scraped {
    var dropsCounted = 0
  }

  private let registry: PrometheusCollectorRegistry
  private let series = Mutex<[String: Series]>([:])
  private let scraped = Mutex(Scraped())
  private let queueDepth: Gauge

  /// Creates the metrics in `registry` (the server's).
  public init(registry: PrometheusCollectorRegistry) {
    self.registry = registry
    queueDepth = registry.makeGauge(
      descriptor: MetricNames.descriptor(MetricNames.shadowQueueDepth, "Copies waiting for the shadow.")
    )
  }

  /// Counts a batch of copies: the handles looked up once, the counters added to once.
  public func shadowRan(_ batch: ShadowBatch) {
    guard !batch.isEmpty else { return }
    let handles = self.handles(batch.slot)
    if !batch.runs.isEmpty { handles.compared.increment(by: Int64(batch.runs.count)) }
    if batch.errors > 0 { handles.failed.increment(by: Int64(batch.errors)) }
    if !batch.comparisons.isEmpty { handles.predictions.increment(by: Int64(batch.comparisons.count)) }
    var disagreeing: Int64 = 0
    for comparison in batch.comparisons {
      if !comparison.agrees { disagreeing += 1 }
      if let difference = comparison.difference {
        // A NaN or infinite difference (a model answered NaN) counts as a very large one.
        handles.difference.record(difference.isFinite ? min(difference, 1e12) : 1e12)
      }
    }
    if disagreeing > 0 { handles.disagreements.increment(by: disagreeing) }
    for run in batch.runs { handles.latency.record(run.shadow) }
  }

  /// Brings drops, the queue depth and the window's agreement up to date.
  public func refresh(_ status: ShadowStatus?, droppedSinceStart: Int) {
    queueDepth.set(Double(status?.queueDepth ?? 0))
    guard let status else { return }
    let handles = self.handles(status.settings.slot)
    scraped.withLock { scraped in
      if droppedSinceStart > scraped.dropsCounted {
        handles.dropped.increment(by: Int64(droppedSinceStart - scraped.dropsCounted))
      }
      scraped.dropsCounted = max(scraped.dropsCounted, droppedSinceStart)
    }
    handles.agreement.set(status.window.agreement ?? .nan)
  }

  private func handles(_ slot: String) -> Series {
    if let found = series.withLock({ $0[slot] }) { return found }
    let requests = MetricNames.descriptor(
      MetricNames.shadowRequests,
      "Copies of live requests the shadow compared, failed on, or dropped (queue full)."
    )
    let labels = [("slot", slot)]
    let made = Series(
      compared: registry.makeCounter(descriptor: requests, labels: labels + [("result", "compared")]),
      failed: registry.makeCounter(descriptor: requests, labels: labels + [("result", "error")]),
      dropped: registry.makeCounter(descriptor: requests, labels: labels + [("result", "dropped")]),
      predictions: registry.makeCounter(
        descriptor: MetricNames.descriptor(
          MetricNames.shadowPredictions,
          "Predictions (input rows) the shadow compared with the live answer."
        ),
        labels: labels
      ),
      disagreements: registry.makeCounter(
        descriptor: MetricNames.descriptor(
          MetricNames.shadowDisagreements,
          "Predictions on which the shadow disagreed with the live answer."
        ),
        labels: labels
      ),
      difference: registry.makeValueHistogram(
        descriptor: MetricNames.descriptor(
          MetricNames.shadowDifference,
          "Difference between the shadow's and the live prediction: absolute for regressors, largest class-probability difference for classifiers."
        ),
        labels: labels,
        buckets: MetricNames.differenceBuckets
      ),
      latency: registry.makeDurationHistogram(
        descriptor: MetricNames.descriptor(MetricNames.shadowLatency, "Time the shadow model took per copy."),
        labels: labels,
        buckets: MetricNames.latencyBuckets
      ),
      agreement: registry.makeGauge(
        descriptor: MetricNames.descriptor(
          MetricNames.shadowAgreement,
          "Share of compared predictions on which the shadow agreed, over the guard's window (NaN before any)."
        ),
        labels: labels
      )
    )
    return series.withLock { series in
      if let existing = series[slot] { return existing }
      series[slot] = made
      return made
    }
  }
}
