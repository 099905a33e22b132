import FoundationEssentials
import HotswapConfig
import HotswapCore
import HotswapJSON

extension StatusDocument {
  /// Seconds of traffic the live numbers of `/status` cover (complete seconds before now).
  static let liveWindow = Duration.seconds(10)

  /// A slot's live numbers: rate, errors and p99 over the last 10 complete seconds; `null` when
  /// requests are not observed.
  static func writeStats(
    slot: String,
    _ observability: ServerObservability?,
    now: DeliveryInstant,
    into writer: inout JSONWriter
  ) {
    guard let observability, observability.recording else {
      writer.null()
      return
    }
    let summary = observability.statistics.summary(
      slot: slot,
      window: liveWindow,
      now: now.uptime.advanced(by: .seconds(-1))
    )
    writer.beginObject()
    writer.key("window_seconds")
    writer.number(liveWindow.inSeconds)
    writer.key("requests")
    writer.integer(Int64(summary.requests))
    writer.key("requests_per_second")
    writer.number(summary.requestsPerSecond)
    writer.key("errors")
    writer.integer(Int64(summary.errors))
    writer.key("client_errors")
    writer.integer(Int64(summary.clientErrors))
    writer.key("error_rate")
    writer.number(summary.errorRate)
    writer.key("p99_ms")
    writer.number(orNull: summary.p99Milliseconds)
    writer.endObject()
  }

  /// The guard: thresholds, roles, trips in force and trips since start.
  static func writeGuard(_ status: DeliveryStatus, into writer: inout JSONWriter) {
    guard let settings = status.guardSettings else {
      writer.null()
      return
    }
    writer.beginObject()
    writer.key("max_error_rate")
    writer.number(orNull: settings.maxErrorRate)
    writer.key("max_p99_ms")
    writer.number(orNull: settings.maxP99Milliseconds)
    writeShadowThresholds(settings, into: &writer)
    writer.key("window_seconds")
    writer.number(settings.window.inSeconds)
    writer.key("observing")
    writer.bool(status.guardSees)
    writer.key("state")
    writer.string(status.trips.isEmpty ? "holding" : "tripped")
    writer.key("stable")
    writer.string(orNull: status.roles.stable)
    writer.key("canaries")
    writer.strings(status.roles.canaries)
    writer.key("trips")
    writer.beginArray()
    for trip in status.trips {
      writer.beginObject()
      writer.key("slot")
      writer.string(trip.slot)
      writer.key("stable")
      writer.string(trip.stable)
      writer.key("threshold")
      writer.string(trip.threshold.rawValue)
      writer.key("reason")
      writer.string(trip.reason)
      writer.key("time")
      writer.string(orNull: trip.time)
      writer.endObject()
    }
    writer.endArray()
    writer.key("trips_since_start")
    writer.integer(Int64(status.tripCounts.values.reduce(0, +)))
    writer.endObject()
  }

  /// The shadow's thresholds and the requests a verdict needs, shared by the guard and the
  /// shadow's verdict.
  static func writeShadowThresholds(_ settings: GuardSettings, into writer: inout JSONWriter) {
    writer.key("min_agreement")
    writer.number(orNull: settings.minAgreement)
    writer.key("max_p99_difference")
    writer.number(orNull: settings.maxP99Difference)
    writer.key("min_requests")
    writer.integer(Int64(settings.minRequests))
  }

  /// The rollout: slot, steps, current step and share, state, time to the next step.
  static func writeRollout(_ status: DeliveryStatus, into writer: inout JSONWriter) {
    guard let settings = status.rolloutSettings, let progress = status.rollout else {
      writer.null()
      return
    }
    writer.beginObject()
    writer.key("slot")
    writer.string(settings.slot)
    writer.key("steps")
    writer.beginArray()
    for step in settings.steps { writer.number(step) }
    writer.endArray()
    writer.key("every_seconds")
    writer.number(settings.every.inSeconds)
    writer.key("state")
    writer.string(progress.state.rawValue)
    writer.key("step")
    writer.integer(Int64(status.rolloutStepNumber))
    writer.key("step_count")
    writer.integer(Int64(settings.steps.count))
    writer.key("percent")
    writer.number(status.rolloutPercent ?? 0)
    writer.key("started_at")
    writer.string(iso(progress.startedAt))
    writer.key("next_step_at")
    writer.string(orNull: status.nextStepAt.map(iso))
    writer.key("seconds_to_next_step")
    writer.number(orNull: status.timeToNextStep?.inSeconds)
    writer.endObject()
  }
}
