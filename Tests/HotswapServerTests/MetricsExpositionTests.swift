import Foundation
import HotswapConfig
import HotswapCore
import HotswapServer
import Testing

@Suite("Metrics: exact exposition after a scripted sequence")
struct MetricsExpositionTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()

  /// A repository model re-wrapped with a fixed load time, so the text is the same on every run.
  static func model(_ relative: String, loadMilliseconds: Int64) throws -> LoadedModel {
    let loaded = try ModelLoader().load(path: repository.appendingPathComponent(relative).path, version: nil)
    return LoadedModel(
      path: loaded.path,
      sha256: loaded.sha256,
      fileSize: loaded.fileSize,
      version: loaded.version,
      session: loaded.session,
      loadedAt: loaded.loadedAt,
      loadDuration: .milliseconds(loadMilliseconds)
    )
  }

  static func snapshot(
    generation: UInt64,
    blue: Double,
    green: Double,
    greenModel: LoadedModel,
    blueModel: LoadedModel
  )
    throws -> Snapshot
  {
    let plan = try PlanParser.parse(
      """
      [slots.blue]
      model = "\(blueModel.path)"
      [slots.green]
      model = "\(greenModel.path)"
      [traffic]
      blue = \(blue)
      green = \(green)
      """,
      file: "/tmp/active.toml"
    ).get()
    let total = blue + green
    return try Snapshot(
      generation: generation,
      plan: plan,
      slots: [
        ServingSlot(
          name: "blue",
          spec: plan.slot(named: "blue")!,
          model: blueModel,
          weight: blue,
          share: blue / total
        ),
        ServingSlot(
          name: "green",
          spec: plan.slot(named: "green")!,
          model: greenModel,
          weight: green,
          share: green / total
        ),
      ]
    )
  }

  static func request(
    _ slot: String,
    _ version: String,
    _ outcome: RequestObservation.Outcome,
    _ duration: Duration
  )
    -> RequestObservation
  {
    RequestObservation(
      slot: slot,
      version: version,
      wireProtocol: .rest,
      endpoint: "predict",
      outcome: outcome,
      duration: duration
    )
  }

  static func bucketLines(_ labels: String, cumulative: [Int], count: Int, sum: String) -> String {
    let bounds = [
      "0.00005", "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
      "0.25",
      "0.5", "1.0", "2.5", "5.0",
    ]
    var text = ""
    for (bound, value) in zip(bounds, cumulative) {
      text += "prediction_latency_seconds_bucket{\(labels),le=\"\(bound)\"} \(value)\n"
    }
    text += "prediction_latency_seconds_bucket{\(labels),le=\"+Inf\"} \(count)\n"
    text += "prediction_latency_seconds_sum{\(labels)} \(sum)\n"
    text += "prediction_latency_seconds_count{\(labels)} \(count)\n"
    return text
  }

  @Test func exactTextAfterRequestsAndPlanChanges() throws {
    let blue = try Self.model("models/iris/v1.0.0/model.onnx", loadMilliseconds: 250)
    let green = try Self.model("models/iris/v1.1.0/model.onnx", loadMilliseconds: 500)
    let metrics = HotswapMetrics()
    var state = DeploymentState(configPath: "/tmp/active.toml").value

    // Generation 1: 90/10; two requests on blue, two on green (one fails on the server, one is a
    // client mistake, which is counted as a request but not as an error).
    state.appliedCount = 1
    metrics.refresh(
      snapshot: try Self.snapshot(generation: 1, blue: 90, green: 10, greenModel: green, blueModel: blue),
      state: state,
      delivery: .idle
    )
    metrics.observe(Self.request("blue", blue.version, .success, .microseconds(80)))
    metrics.observe(Self.request("blue", blue.version, .success, .milliseconds(3)))
    metrics.observe(Self.request("green", green.version, .serverError, .milliseconds(30)))
    metrics.observe(Self.request("green", green.version, .clientError, .microseconds(40)))

    // A rejected change, then generation 2 (green now serves blue's model, 50/50), a guard trip and
    // a rollout at its second step.
    state.rejectedCount = 1
    state.appliedCount = 2
    var delivery = DeliveryStatus.idle
    delivery.tripCounts = ["green": 1]
    delivery.rollout = RolloutProgress(
      slot: "green",
      stepIndex: 1,
      startedAt: Date(timeIntervalSince1970: 0),
      stepStartedAt: Date(timeIntervalSince1970: 60),
      state: .running
    )
    metrics.refresh(
      snapshot: try Self.snapshot(generation: 2, blue: 50, green: 50, greenModel: blue, blueModel: blue),
      state: state,
      delivery: delivery
    )

    let blueLabels = "slot=\"blue\",version=\"\(blue.version)\",protocol=\"rest\",endpoint=\"predict\""
    let greenLabels = "slot=\"green\",version=\"\(green.version)\",protocol=\"rest\",endpoint=\"predict\""
    let expected =
      """
      # HELP hotswap_guard_trips_total Canaries that lost their traffic to the guard.
      # TYPE hotswap_guard_trips_total counter
      hotswap_guard_trips_total{slot="blue"} 0
      hotswap_guard_trips_total{slot="green"} 1
      # HELP hotswap_model_load_seconds Time the slot's model took to load and warm up.
      # TYPE hotswap_model_load_seconds gauge
      hotswap_model_load_seconds{slot="blue"} 0.25
      hotswap_model_load_seconds{slot="green"} 0.25
      # HELP hotswap_plan_generation Generation of the served snapshot.
      # TYPE hotswap_plan_generation gauge
      hotswap_plan_generation 2.0
      # HELP hotswap_plan_reloads_total Config changes applied or rejected since start.
      # TYPE hotswap_plan_reloads_total counter
      hotswap_plan_reloads_total{result="applied"} 2
      hotswap_plan_reloads_total{result="rejected"} 1
      # HELP hotswap_prediction_log_lines_total Prediction log lines written, dropped (queue full) and failed (file not writable).
      # TYPE hotswap_prediction_log_lines_total counter
      hotswap_prediction_log_lines_total{result="dropped"} 0
      hotswap_prediction_log_lines_total{result="failed"} 0
      hotswap_prediction_log_lines_total{result="written"} 0
      # HELP hotswap_rollout_step Current step of the stepped rollout, 1-based; 0 without a rollout.
      # TYPE hotswap_rollout_step gauge
      hotswap_rollout_step 2.0
      # HELP hotswap_slot_ready 1 for every slot whose model is loaded.
      # TYPE hotswap_slot_ready gauge
      hotswap_slot_ready{slot="blue",version="\(blue.version)"} 1.0
      hotswap_slot_ready{slot="green",version="\(blue.version)"} 1.0
      # HELP hotswap_traffic_share Share of unpinned traffic the slot takes, 0 to 1.
      # TYPE hotswap_traffic_share gauge
      hotswap_traffic_share{slot="blue"} 0.5
      hotswap_traffic_share{slot="green"} 0.5
      # HELP predict_errors_total Prediction requests that failed on the server side (5xx, inference, deadline).
      # TYPE predict_errors_total counter
      predict_errors_total{\(blueLabels)} 0
      predict_errors_total{\(greenLabels)} 1
      # HELP predict_requests_total Prediction requests served.
      # TYPE predict_requests_total counter
      predict_requests_total{\(blueLabels)} 2
      predict_requests_total{\(greenLabels)} 2
      # HELP prediction_latency_seconds Time from routing to the response being ready.
      # TYPE prediction_latency_seconds histogram

      """
      + Self.bucketLines(
        blueLabels,
        cumulative: [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
        count: 2,
        sum: "0.00308"
      )
      + Self.bucketLines(
        greenLabels,
        cumulative: [1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2],
        count: 2,
        sum: "0.03004"
      )
    #expect(blue.version != green.version)
    #expect(metrics.render() == expected)
  }

  @Test func canonicalOrderIsStableAcrossRegistries() {
    var texts: Set<String> = []
    for _ in 0..<5 {
      let metrics = HotswapMetrics()
      for slot in ["green", "blue", "red", "amber"] {
        metrics.observe(Self.request(slot, "v1", .success, .milliseconds(1)))
      }
      texts.insert(metrics.render())
    }
    #expect(texts.count == 1)
  }
}
