import FoundationEssentials
import HotswapCore

/// The request observer the server runs with: every request feeds the sliding-window statistics
/// (guard, status page) and the Prometheus metrics. With `recording` off (`hotswap serve
/// --no-metrics`) requests are not observed at all: `/metrics` answers 404 and the guard cannot
/// judge, but the rollout and `/status` keep working.
public final class ServerObservability: RequestObserver, Sendable {
  /// Whether requests are observed.
  public let recording: Bool
  /// The per-slot windows.
  public let statistics: RequestStatistics
  /// The Prometheus metrics.
  public let metrics: HotswapMetrics
  /// The guard and the rollout.
  public let delivery: DeliveryController
  /// Shadow traffic, when the server mirrors requests.
  public let shadow: ShadowMirror?
  /// The shadow's Prometheus metrics.
  public let shadowMetrics: ShadowMetrics?
  /// The status page's 15-minute history.
  public let history: ChartHistory?

  /// Creates the observer.
  public init(
    recording: Bool,
    statistics: RequestStatistics,
    metrics: HotswapMetrics,
    delivery: DeliveryController,
    shadow: ShadowMirror? = nil,
    shadowMetrics: ShadowMetrics? = nil,
    history: ChartHistory? = nil
  ) {
    self.recording = recording
    self.statistics = statistics
    self.metrics = metrics
    self.delivery = delivery
    self.shadow = shadow
    self.shadowMetrics = shadowMetrics
    self.history = history
  }

  /// Records one request in the statistics and the metrics.
  public func observe(_ observation: RequestObservation) {
    guard recording else { return }
    statistics.observe(observation)
    metrics.observe(observation)
  }
}
