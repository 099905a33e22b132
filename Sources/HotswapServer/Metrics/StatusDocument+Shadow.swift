import FoundationEssentials
import HotswapCore
import HotswapJSON

extension StatusDocument {
  /// The shadow's window without a `[guard]` (with one, the guard's `window`).
  public static let shadowWindow = Duration.seconds(60)

  /// The shadow: settings, the window the guard judges and the totals since it began, the queue,
  /// the last error, the disagreement sample and the guard's verdict; `null` without `[shadow]`.
  static func writeShadow(
    _ observability: ServerObservability?,
    snapshot: Snapshot?,
    delivery: DeliveryStatus,
    into writer: inout JSONWriter
  ) {
    guard let mirror = observability?.shadow,
      let status = mirror.status(
        snapshot: snapshot,
        window: delivery.guardSettings?.window ?? shadowWindow,
        since: delivery.armedAt
      )
    else {
      writer.null()
      return
    }
    let settings = status.settings
    writer.beginObject()
    writer.key("slot")
    writer.string(settings.slot)
    writer.key("version")
    writer.string(orNull: status.version)
    writer.key("active")
    writer.bool(status.target != nil)
    writer.key("sample_percent")
    writer.number(settings.samplePercent)
    writer.key("record")
    writer.integer(Int64(settings.record))
    writer.key("tolerance")
    writer.number(settings.tolerance)
    writer.key("began_at")
    writer.string(orNull: status.beganAt.map(iso))
    writer.key("restored")
    writer.bool(status.restored)
    writer.key("note")
    writer.string(orNull: status.note)
    writer.key("mirrored_share")
    writer.number(status.eligibleShare)
    writer.key("queue")
    writer.beginObject()
    writer.key("depth")
    writer.integer(Int64(status.queueDepth))
    writer.key("capacity")
    writer.integer(Int64(status.queueCapacity))
    writer.key("bytes")
    writer.integer(Int64(status.queuedBytes))
    writer.key("max_bytes")
    writer.integer(Int64(settings.maxQueueBytes))
    writer.endObject()
    writer.key("window")
    writeShadowSummary(status.window, seconds: status.windowSeconds, into: &writer)
    writer.key("total")
    writeShadowSummary(status.total, seconds: nil, into: &writer)
    writer.key("last_error")
    if let message = status.lastError {
      writer.beginObject()
      writer.key("time")
      writer.string(orNull: status.lastErrorAt.map(iso))
      writer.key("message")
      writer.string(message)
      writer.endObject()
    } else {
      writer.null()
    }
    writer.key("disagreements_recorded")
    writer.integer(Int64(status.recorded))
    writer.key("verdict")
    writeVerdict(delivery, into: &writer)
    writer.endObject()
  }

  private static func writeVerdict(_ delivery: DeliveryStatus, into writer: inout JSONWriter) {
    guard let verdict = delivery.shadowVerdict, let settings = delivery.guardSettings else {
      writer.null()
      return
    }
    writer.beginObject()
    writeShadowThresholds(settings, into: &writer)
    writer.key("state")
    switch verdict {
    case .waiting: writer.string("waiting")
    case .passes: writer.string("passes")
    case .fails: writer.string("fails")
    }
    writer.key("reason")
    writer.string(verdict.description)
    writer.endObject()
  }

  /// One summary: counts, agreement, difference quantiles, both latencies.
  static func writeShadowSummary(_ summary: ShadowSummary, seconds: Double?, into writer: inout JSONWriter) {
    writer.beginObject()
    if let seconds {
      writer.key("seconds")
      writer.number(seconds)
    }
    for (key, value) in [
      ("mirrored", summary.mirrored), ("compared", summary.compared), ("errors", summary.errors),
      ("dropped", summary.dropped), ("predictions", summary.predictions), ("agreeing", summary.agreeing),
      ("disagreeing", summary.disagreeing),
    ] {
      writer.key(key)
      writer.integer(Int64(value))
    }
    writer.key("agreement")
    writer.number(orNull: summary.agreement)
    writer.key("difference")
    writeQuantiles(summary.difference, into: &writer) { writer in
      writer.key("max")
      writer.number(orNull: summary.maxDifference)
    }
    writer.key("relative_difference")
    writeQuantiles(summary.relativeDifference, into: &writer)
    for (key, histogram) in [
      ("shadow_latency_ms", summary.shadowLatency), ("live_latency_ms", summary.liveLatency),
    ] {
      writer.key(key)
      guard histogram.total > 0 else {
        writer.null()
        continue
      }
      writer.beginObject()
      for (name, quantile) in [("p50", 0.5), ("p99", 0.99)] {
        writer.key(name)
        writer.number(orNull: histogram.percentile(quantile).map { $0.inSeconds * 1000 })
      }
      writer.endObject()
    }
    writer.endObject()
  }

  /// p50, p90 and p99 of a difference histogram and what `more` adds; `null` before the first
  /// comparison.
  private static func writeQuantiles(
    _ histogram: DifferenceHistogram,
    into writer: inout JSONWriter,
    more: (inout JSONWriter) -> Void = { _ in }
  ) {
    guard histogram.total > 0 else {
      writer.null()
      return
    }
    writer.beginObject()
    for (key, quantile) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)] {
      writer.key(key)
      writer.number(orNull: histogram.quantile(quantile))
    }
    more(&writer)
    writer.endObject()
  }
}
