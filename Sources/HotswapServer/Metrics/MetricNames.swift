import Prometheus

/// Every metric the server exports: names, help texts and the latency buckets. The seed systems'
/// request metrics keep their names so existing dashboards work unchanged.
public enum MetricNames {
  /// `predict_requests_total{slot,version,protocol,endpoint}`: requests served.
  public static let requests = "predict_requests_total"
  /// `predict_errors_total{slot,version,protocol,endpoint}`: server-side failures.
  public static let errors = "predict_errors_total"
  /// `prediction_latency_seconds{slot,version,protocol,endpoint}`: time to answer.
  public static let latency = "prediction_latency_seconds"
  /// `hotswap_traffic_share{slot}`: share of unpinned traffic, 0…1.
  public static let trafficShare = "hotswap_traffic_share"
  /// `hotswap_plan_generation`: generation of the served snapshot.
  public static let planGeneration = "hotswap_plan_generation"
  /// `hotswap_plan_reloads_total{result}`: applied and rejected plans.
  public static let planReloads = "hotswap_plan_reloads_total"
  /// `hotswap_model_load_seconds{slot}`: how long the slot's model took to load and warm up.
  public static let modelLoad = "hotswap_model_load_seconds"
  /// `hotswap_slot_ready{slot,version}`: 1 for every loaded slot.
  public static let slotReady = "hotswap_slot_ready"
  /// `hotswap_guard_trips_total{slot}`: canaries that lost their traffic to the guard.
  public static let guardTrips = "hotswap_guard_trips_total"
  /// `hotswap_rollout_step`: the rollout's current step, 1-based; 0 without a rollout.
  public static let rolloutStep = "hotswap_rollout_step"
  /// `hotswap_connections_open`: connections open now (REST and gRPC).
  public static let connectionsOpen = "hotswap_connections_open"
  /// `hotswap_connections_rejected_total`: connections closed unread because `max_connections`
  /// were open.
  public static let connectionsRejected = "hotswap_connections_rejected_total"
  /// `hotswap_prediction_log_lines_total{result}`: prediction log lines written, dropped (queue
  /// full) and failed (the file could not be written).
  public static let predictionLogLines = "hotswap_prediction_log_lines_total"

  /// `hotswap_shadow_requests_total{slot,result}`: copies compared, failed (`error`) or dropped.
  public static let shadowRequests = "hotswap_shadow_requests_total"
  /// `hotswap_shadow_predictions_total{slot}`: predictions (rows) compared.
  public static let shadowPredictions = "hotswap_shadow_predictions_total"
  /// `hotswap_shadow_disagreements_total{slot}`: predictions on which the shadow disagreed.
  public static let shadowDisagreements = "hotswap_shadow_disagreements_total"
  /// `hotswap_shadow_difference{slot}`: histogram of prediction differences.
  public static let shadowDifference = "hotswap_shadow_difference"
  /// `hotswap_shadow_latency_seconds{slot}`: the shadow model's time per copy.
  public static let shadowLatency = "hotswap_shadow_latency_seconds"
  /// `hotswap_shadow_agreement_ratio{slot}`: agreement over the guard's window.
  public static let shadowAgreement = "hotswap_shadow_agreement_ratio"
  /// `hotswap_shadow_queue_depth`: copies waiting.
  public static let shadowQueueDepth = "hotswap_shadow_queue_depth"

  /// Every family name, for the dashboard check.
  public static let all = [
    requests, errors, latency, trafficShare, planGeneration, planReloads, modelLoad, slotReady, guardTrips,
    rolloutStep, shadowRequests, shadowPredictions, shadowDisagreements, shadowDifference, shadowLatency,
    shadowAgreement, shadowQueueDepth, connectionsOpen, connectionsRejected, predictionLogLines,
  ]

  /// Difference buckets: probability differences (0…1) and regressors' absolute differences.
  public static let differenceBuckets: [Double] = [
    0, 0.0001, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 1000,
  ]

  /// Latency buckets from 50 µs to 5 s.
  public static let latencyBuckets: [Duration] = [
    .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
    .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
    .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
  ]

  static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
  }
}
