import FoundationEssentials
import HotswapCore
import HotswapJSON

extension StatusDocument {
  /// The status page's charts: per slot request rate, p99 and error rate per 10-second interval
  /// over the last 15 minutes, the shadow's agreement, and the events to mark; `null` when the
  /// server keeps no history.
  static func writeHistory(_ observability: ServerObservability?, into writer: inout JSONWriter) {
    guard let history = observability?.history else {
      writer.null()
      return
    }
    let series = history.series()
    writer.beginObject()
    writer.key("interval_seconds")
    writer.integer(ChartHistory.interval)
    writer.key("capacity")
    writer.integer(Int64(ChartHistory.capacity))
    writer.key("ends")
    writer.strings(series.ends.map(iso))
    writer.key("slots")
    writer.beginArray()
    for (name, points) in series.slots {
      writer.beginObject()
      writer.key("name")
      writer.string(name)
      for (key, value) in [
        ("requests_per_second", { (point: ChartHistory.Point) in point.rate }),
        ("p99_ms", { (point: ChartHistory.Point) in point.p99Milliseconds }),
        ("error_rate", { (point: ChartHistory.Point) in point.errorRate }),
      ] as [(String, (ChartHistory.Point) -> Double?)] {
        writer.key(key)
        writer.beginArray()
        for point in points { writer.number(orNull: point.flatMap(value)) }
        writer.endArray()
      }
      writer.endObject()
    }
    writer.endArray()
    writer.key("shadow")
    if let shadow = series.shadow {
      writer.beginObject()
      writer.key("slot")
      writer.string(shadow.slot)
      writer.key("agreement")
      writer.beginArray()
      for value in shadow.agreement { writer.number(orNull: value) }
      writer.endArray()
      writer.endObject()
    } else {
      writer.null()
    }
    writer.key("events")
    writer.beginArray()
    for event in series.events {
      writer.beginObject()
      writer.key("time")
      writer.string(iso(event.time))
      writer.key("kind")
      writer.string(event.kind.rawValue)
      writer.key("label")
      writer.string(event.label)
      writer.endObject()
    }
    writer.endArray()
    writer.endObject()
  }
}
