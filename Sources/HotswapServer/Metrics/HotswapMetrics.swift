import HotswapCore
import Prometheus
import Synchronization

/// The Prometheus side of observability: request counters and latency histograms updated on the
/// request path, deployment gauges brought up to date from the snapshot, the deployment state and
/// the guard when `/metrics` is scraped. Owns its registry (injected in tests, never the global
/// metrics system).
public final class HotswapMetrics: Sendable {
  private struct SeriesKey: Hashable {
    var slot: String
    var version: String
    var wireProtocol: RequestObservation.WireProtocol
    var endpoint: String
  }

  private struct Series: Sendable {
    let requests: Counter
    let errors: Counter
    let latency: DurationHistogram
  }

  private struct Deployment {
    var shares: [String: Gauge] = [:]
    var loadTimes: [String: Gauge] = [:]
    var ready: [String: (version: String, gauge: Gauge)] = [:]
    var reloadsCounted: [String: Int] = [:]
    var tripsCounted: [String: Int] = [:]
    var rejectedCounted = 0
    var logLinesCounted: [String: UInt64] = [:]
  }

  /// The registry the metrics live in.
  public let registry: PrometheusCollectorRegistry
  private let series = Mutex<[SeriesKey: Series]>([:])
  private let deployment = Mutex(Deployment())
  private let generation: Gauge
  private let rolloutStep: Gauge
  private let reloads: [String: Counter]
  private let logLines: [String: Counter]

  /// Creates the metrics in `registry`.
  public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
    self.registry = registry
    generation = registry.makeGauge(
      descriptor: MetricNames.descriptor(MetricNames.planGeneration, "Generation of the served snapshot.")
    )
    rolloutStep = registry.makeGauge(
      descriptor: MetricNames.descriptor(
        MetricNames.rolloutStep,
        "Current step of the stepped rollout, 1-based; 0 without a rollout."
      )
    )
    let reloadsDescriptor = MetricNames.descriptor(
      MetricNames.planReloads,
      "Config changes applied or rejected since start."
    )
    reloads = Dictionary(
      uniqueKeysWithValues: ["applied", "rejected"].map {
        ($0, registry.makeCounter(descriptor: reloadsDescriptor, labels: [("result", $0)]))
      }
    )
    let logDescriptor = MetricNames.descriptor(
      MetricNames.predictionLogLines,
      "Prediction log lines written, dropped (queue full) and failed (file not writable)."
    )
    logLines = Dictionary(
      uniqueKeysWithValues: ["written", "dropped", "failed"].map {
        ($0, registry.makeCounter(descriptor: logDescriptor, labels: [("result", $0)]))
      }
    )
  }

  /// Brings the prediction log's counters up to `counts`.
  public func refresh(predictionLog counts: PredictionLog.Counts) {
    deployment.withLock { deployment in
      for (result, total) in [
        ("written", counts.written), ("dropped", counts.dropped), ("failed", counts.failed),
      ] {
        let counted = deployment.logLinesCounted[result, default: 0]
        if total > counted { logLines[result]?.increment(by: Int64(total - counted)) }
        deployment.logLinesCounted[result] = max(total, counted)
      }
    }
  }

  /// Counts one request. After the first request of a series this takes one lock for the lookup,
  /// one atomic add and the histogram's lock.
  public func observe(_ observation: RequestObservation) {
    let key = SeriesKey(
      slot: observation.slot,
      version: observation.version,
      wireProtocol: observation.wireProtocol,
      endpoint: observation.endpoint
    )
    let found = series.withLock { $0[key] }
    let handles = found ?? makeSeries(key)
    handles.requests.increment()
    if observation.outcome == .serverError { handles.errors.increment() }
    handles.latency.record(observation.duration)
  }

  private func makeSeries(_ key: SeriesKey) -> Series {
    let labels = [
      ("slot", key.slot), ("version", key.version), ("protocol", key.wireProtocol.rawValue),
      ("endpoint", key.endpoint),
    ]
    let made = Series(
      requests: registry.makeCounter(
        descriptor: MetricNames.descriptor(MetricNames.requests, "Prediction requests served."),
        labels: labels
      ),
      errors: registry.makeCounter(
        descriptor: MetricNames.descriptor(
          MetricNames.errors,
          "Prediction requests that failed on the server side (5xx, inference, deadline)."
        ),
        labels: labels
      ),
      latency: registry.makeDurationHistogram(
        descriptor: MetricNames.descriptor(
          MetricNames.latency,
          "Time from routing to the response being ready."
        ),
        labels: labels,
        buckets: MetricNames.latencyBuckets
      )
    )
    return series.withLock { series in
      if let existing = series[key] { return existing }
      series[key] = made
      return made
    }
  }

  /// Brings the listener's gauge and counter up to date (open and refused connections).
  public func refresh(connections: ConnectionCounters) {
    registry.makeGauge(
      descriptor: MetricNames.descriptor(MetricNames.connectionsOpen, "Connections open now (REST and gRPC).")
    ).set(Double(connections.open))
    let rejected = registry.makeCounter(
      descriptor: MetricNames.descriptor(
        MetricNames.connectionsRejected,
        "Connections closed unread because max_connections were open."
      )
    )
    let total = connections.rejected
    deployment.withLock { deployment in
      if total > deployment.rejectedCounted {
        rejected.increment(by: Int64(total - deployment.rejectedCounted))
      }
      deployment.rejectedCounted = max(total, deployment.rejectedCounted)
    }
  }

  /// Brings the deployment gauges and counters up to date.
  public func refresh(snapshot: Snapshot?, state: DeploymentState.Value, delivery: DeliveryStatus) {
    generation.set(Double(snapshot?.generation ?? 0))
    rolloutStep.set(Double(delivery.rolloutStepNumber))
    deployment.withLock { deployment in
      for (result, total) in [("applied", state.appliedCount), ("rejected", state.rejectedCount)] {
        let counted = deployment.reloadsCounted[result, default: 0]
        if total > counted { reloads[result]?.increment(by: Int64(total - counted)) }
        deployment.reloadsCounted[result] = max(total, counted)
      }
      let trips = MetricNames.descriptor(
        MetricNames.guardTrips,
        "Canaries that lost their traffic to the guard."
      )
      for slot in Set(delivery.tripCounts.keys).union(snapshot?.slots.map(\.name) ?? []) {
        let total = delivery.tripCounts[slot, default: 0]
        let counter = registry.makeCounter(descriptor: trips, labels: [("slot", slot)])
        let counted = deployment.tripsCounted[slot, default: 0]
        if total > counted { counter.increment(by: Int64(total - counted)) }
        deployment.tripsCounted[slot] = max(total, counted)
      }
      update(&deployment, slots: snapshot?.slots ?? [])
    }
  }

  private func update(_ deployment: inout Deployment, slots: [ServingSlot]) {
    let names = Set(slots.map(\.name))
    for (name, gauge) in deployment.shares where !names.contains(name) {
      registry.unregisterGauge(gauge)
      deployment.shares[name] = nil
    }
    for (name, gauge) in deployment.loadTimes where !names.contains(name) {
      registry.unregisterGauge(gauge)
      deployment.loadTimes[name] = nil
    }
    for (name, entry) in deployment.ready where !names.contains(name) {
      registry.unregisterGauge(entry.gauge)
      deployment.ready[name] = nil
    }
    let share = MetricNames.descriptor(
      MetricNames.trafficShare,
      "Share of unpinned traffic the slot takes, 0 to 1."
    )
    let load = MetricNames.descriptor(
      MetricNames.modelLoad,
      "Time the slot's model took to load and warm up."
    )
    let ready = MetricNames.descriptor(MetricNames.slotReady, "1 for every slot whose model is loaded.")
    for slot in slots {
      let shareGauge =
        deployment.shares[slot.name] ?? registry.makeGauge(descriptor: share, labels: [("slot", slot.name)])
      deployment.shares[slot.name] = shareGauge
      shareGauge.set(slot.share)
      let loadGauge =
        deployment.loadTimes[slot.name] ?? registry.makeGauge(descriptor: load, labels: [("slot", slot.name)])
      deployment.loadTimes[slot.name] = loadGauge
      loadGauge.set(slot.model.loadDuration.inSeconds)
      if let entry = deployment.ready[slot.name], entry.version != slot.version {
        registry.unregisterGauge(entry.gauge)
        deployment.ready[slot.name] = nil
      }
      let readyGauge =
        deployment.ready[slot.name]?.gauge
        ?? registry.makeGauge(descriptor: ready, labels: [("slot", slot.name), ("version", slot.version)])
      deployment.ready[slot.name] = (slot.version, readyGauge)
      readyGauge.set(1.0)
    }
  }

  /// The exposition text, families and series in a fixed order.
  public func render() -> String {
    MetricsText.canonical(registry.emitToString())
  }
}
