import HotswapCore
import Testing

@Suite("Guard: latency histogram and sliding windows")
struct GuardWindowTests {
  @Test(arguments: [Int64(1), 999, 1024, 50_000, 1_000_000, 12_345_678, 5_000_000_000, 60_000_000_000])
  func bucketHoldsItsDuration(nanoseconds: Int64) throws {
    let bucket = LatencyHistogram.bucket(nanoseconds: nanoseconds)
    #expect(bucket >= 0 && bucket < LatencyHistogram.bucketCount)
    let upper = LatencyHistogram.upperBound(ofBucket: bucket)
    #expect(upper >= nanoseconds)
    if nanoseconds >= 1024 {
      // At most one eighth of the lower power of two above the value.
      #expect(Double(upper) <= Double(nanoseconds) * 1.125 + 1)
    }
    if bucket > 0 {
      #expect(LatencyHistogram.upperBound(ofBucket: bucket - 1) < nanoseconds)
    }
  }

  @Test func percentileOfKnownDistribution() throws {
    var histogram = LatencyHistogram()
    for _ in 0..<990 { histogram.record(nanoseconds: 100_000) }
    for _ in 0..<10 { histogram.record(nanoseconds: 80_000_000) }
    let p99 = try #require(histogram.percentile(0.99))
    #expect(p99 >= .microseconds(100) && p99 < .microseconds(113))
    let p999 = try #require(histogram.percentile(0.999))
    #expect(p999 >= .milliseconds(80) && p999 < .milliseconds(91))
    #expect(LatencyHistogram().percentile(0.99) == nil)
  }

  static func observation(
    _ slot: String,
    _ outcome: RequestObservation.Outcome,
    _ duration: Duration
  )
    -> RequestObservation
  {
    RequestObservation(
      slot: slot,
      version: "v1",
      wireProtocol: .rest,
      endpoint: "predict",
      outcome: outcome,
      duration: duration
    )
  }

  @Test func windowSlidesAndForgetsOldSeconds() {
    let origin = ContinuousClock.now
    let statistics = RequestStatistics(origin: origin, capacity: 60)
    for second in 0..<20 {
      let at = origin.advanced(by: .seconds(second))
      statistics.record(Self.observation("green", .success, .milliseconds(1)), at: at)
      statistics.record(
        Self.observation("green", second < 5 ? .serverError : .clientError, .milliseconds(2)),
        at: at
      )
    }
    let now = origin.advanced(by: .seconds(19))
    let all = statistics.summary(slot: "green", window: .seconds(60), now: now)
    #expect(all.requests == 40)
    #expect(all.errors == 5)
    #expect(all.clientErrors == 15)
    let last10 = statistics.summary(slot: "green", window: .seconds(10), now: now)
    #expect(last10.requests == 20)
    #expect(last10.errors == 0)
    #expect(last10.requestsPerSecond == 2)
    let since = statistics.summary(
      slot: "green",
      window: .seconds(60),
      now: now,
      since: origin.advanced(by: .seconds(3))
    )
    #expect(since.requests == 34)
    #expect(since.errors == 2)
    #expect(statistics.summary(slot: "blue", window: .seconds(10), now: now).requests == 0)
  }

  @Test func ringReusesSecondsPastItsCapacity() {
    let origin = ContinuousClock.now
    let statistics = RequestStatistics(origin: origin, capacity: 10)
    statistics.record(Self.observation("green", .serverError, .milliseconds(1)), at: origin)
    statistics.record(
      Self.observation("green", .success, .milliseconds(1)),
      at: origin.advanced(by: .seconds(10))
    )
    let summary = statistics.summary(
      slot: "green",
      window: .seconds(100),
      now: origin.advanced(by: .seconds(10))
    )
    #expect(summary.requests == 1)
    #expect(summary.errors == 0)
  }

  @Test func concurrentRecordingLosesNothing() async {
    let origin = ContinuousClock.now
    let statistics = RequestStatistics(origin: origin)
    await withTaskGroup(of: Void.self) { group in
      for task in 0..<8 {
        group.addTask {
          for _ in 0..<1000 {
            statistics.record(
              Self.observation(task % 2 == 0 ? "blue" : "green", .success, .microseconds(70)),
              at: origin
            )
          }
        }
      }
    }
    #expect(statistics.summary(slot: "blue", window: .seconds(5), now: origin).requests == 4000)
    #expect(statistics.summary(slot: "green", window: .seconds(5), now: origin).requests == 4000)
  }
}
