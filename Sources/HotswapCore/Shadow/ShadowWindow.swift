/// The shadow's last `capacity` periods of `period` seconds each, in a ring: a bucket is reused
/// when its period comes round again, so recording never allocates. A class, so the ring is
/// updated in place. Only used under ``ShadowStatistics``'s lock.
final class ShadowWindow {
  private struct Bucket {
    var period: Int64 = .min
    var summary = ShadowSummary()
  }

  /// Seconds per bucket.
  let period: Int64
  private var buckets: [Bucket]

  /// Creates an empty window of `capacity` buckets of `period` seconds.
  init(capacity: Int, period: Int64) {
    self.period = max(1, period)
    buckets = Array(repeating: Bucket(), count: max(1, capacity))
  }

  /// The seconds the window keeps.
  var seconds: Int64 { Int64(buckets.count) * period }

  /// The bucket for `second` (seconds since the statistics' origin), cleared when it held an
  /// older period, given to `body`.
  @inline(__always)
  func update(second: Int64, _ body: (inout ShadowSummary) -> Void) {
    let periodIndex = second / period
    let index = Int(periodIndex % Int64(buckets.count))
    if buckets[index].period != periodIndex {
      buckets[index].period = periodIndex
      buckets[index].summary.reset()
    }
    body(&buckets[index].summary)
  }

  /// Sums the buckets whose periods lie entirely within `first...last` (seconds). A period that
  /// began before `first` is left out: after a change only what came after it counts.
  func summary(from first: Int64, through last: Int64) -> ShadowSummary {
    var total = ShadowSummary()
    for bucket in buckets where bucket.period != .min {
      let start = bucket.period * period
      if start >= first && start <= last { total.add(bucket.summary) }
    }
    return total
  }

  /// Forgets everything.
  func reset() {
    for index in buckets.indices {
      buckets[index].period = .min
      buckets[index].summary.reset()
    }
  }
}
