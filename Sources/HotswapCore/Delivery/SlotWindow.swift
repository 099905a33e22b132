/// The last `capacity` seconds of one slot's requests, one bucket per second in a ring: counts,
/// server and client errors and a latency histogram. A bucket is reused when its second comes
/// round again, so recording never allocates. A class, so the ring is updated in place: a struct
/// held in a dictionary risks being copied out, mutated and written back — a copy of the whole
/// ring per request. Only used under ``RequestStatistics``'s lock.
final class SlotWindow {
  private struct Second {
    var second: Int64 = .min
    var requests: UInt32 = 0
    var errors: UInt32 = 0
    var clientErrors: UInt32 = 0
    var latency = LatencyHistogram()
  }

  private var seconds: [Second]

  /// Creates an empty window of `capacity` seconds.
  init(capacity: Int) {
    seconds = Array(repeating: Second(), count: max(1, capacity))
  }

  /// How many seconds the window keeps.
  var capacity: Int { seconds.count }

  /// Counts one request in second `second` (seconds since the statistics' origin).
  @inline(__always)
  func record(second: Int64, outcome: RequestObservation.Outcome, nanoseconds: Int64) {
    let index = Int(second % Int64(seconds.count))
    if seconds[index].second != second {
      seconds[index].second = second
      seconds[index].requests = 0
      seconds[index].errors = 0
      seconds[index].clientErrors = 0
      seconds[index].latency.reset()
    }
    seconds[index].requests &+= 1
    switch outcome {
    case .success: break
    case .serverError: seconds[index].errors &+= 1
    case .clientError: seconds[index].clientErrors &+= 1
    }
    seconds[index].latency.record(nanoseconds: nanoseconds)
  }

  /// Sums the seconds in `first...last` that are still held.
  func summary(from first: Int64, through last: Int64) -> WindowSummary {
    var summary = WindowSummary(span: .seconds(max(0, last - first + 1)))
    var latency = LatencyHistogram()
    for bucket in seconds where bucket.second >= first && bucket.second <= last {
      summary.requests += Int(bucket.requests)
      summary.errors += Int(bucket.errors)
      summary.clientErrors += Int(bucket.clientErrors)
      latency.add(bucket.latency)
    }
    summary.p99 = latency.percentile(0.99)
    return summary
  }
}
