import FoundationEssentials
import HotswapCore
import Testing

@Suite("ChartHistory: the status page's 15 minutes in fixed memory")
struct ChartHistoryTests {
  static let origin = DeliveryInstant(wall: Date(timeIntervalSince1970: 1_800_000_000), uptime: .now)

  /// A slot's summary for the interval ending at `end`: `requests` = the interval's index + 1.
  static func requests(_ slot: String, _ end: ContinuousClock.Instant) -> WindowSummary {
    let (seconds, _) = (end - origin.uptime).components
    let index = Int(seconds / ChartHistory.interval)
    return WindowSummary(
      requests: (index + 1) * 10,
      errors: slot == "green" ? index + 1 : 0,
      p99: .milliseconds(index + 1),
      span: .seconds(10)
    )
  }

  static func at(seconds: Int64) -> ContinuousClock.Instant {
    origin.uptime.advanced(by: .seconds(seconds))
  }

  @Test func nothingBeforeTheFirstIntervalEnds() {
    let history = ChartHistory(origin: Self.origin)
    history.sample(at: Self.at(seconds: 9), slots: ["blue"], requests: Self.requests, shadow: nil)
    let series = history.series()
    #expect(series.ends.isEmpty && series.slots.isEmpty && series.shadow == nil)
  }

  @Test func eachIntervalIsOnePointWithItsNumbers() throws {
    let history = ChartHistory(origin: Self.origin)
    for second in stride(from: 0, through: 35, by: 1) {
      history.sample(
        at: Self.at(seconds: Int64(second)),
        slots: ["blue", "green"],
        requests: Self.requests,
        shadow: nil
      )
    }
    let series = history.series()
    // Intervals 0, 1 and 2 ended by 35 s; the third (30–40 s) has not.
    #expect(series.ends == [10, 20, 30].map { Self.origin.wall.addingTimeInterval($0) })
    #expect(series.slots.map(\.name) == ["blue", "green"])
    let green = try #require(series.slots.last?.points)
    #expect(green.map { $0?.rate } == [1, 2, 3])
    #expect(green.map { $0?.errorRate } == [0.1, 0.1, 0.1])
    #expect(green.map { $0?.p99Milliseconds } == [1, 2, 3])
  }

  @Test func hoursOfHistoryKeepFifteenMinutesAndSixtyFourEvents() throws {
    let history = ChartHistory(origin: Self.origin)
    var agreement = ShadowSummary()
    agreement.predictions = 4
    agreement.agreeing = 3
    let shadow = (slot: "green", summary: { (_: ContinuousClock.Instant) in agreement })
    // Three hours, sampled every 10 s, with a hundred slots changing names and 500 events.
    for step in 0..<1080 {
      let slots = ["blue", "canary-\(step / 10)"]
      history.sample(
        at: Self.at(seconds: Int64(step) * 10),
        slots: slots,
        requests: Self.requests,
        shadow: shadow
      )
      if step < 500 {
        history.record(
          .init(time: Self.origin.wall.addingTimeInterval(Double(step)), kind: .plan, label: "\(step)")
        )
      }
    }
    let series = history.series()
    #expect(series.ends.count == ChartHistory.capacity)
    // Only the slots with a point in the last 15 minutes are kept: blue and canaries 99…107.
    #expect(series.slots.map(\.name) == ["blue"] + (99...107).map { "canary-\($0)" }.sorted())
    #expect(series.slots.allSatisfy { $0.points.count == ChartHistory.capacity })
    let last = try #require(series.slots.first { $0.name == "blue" }?.points.last ?? nil)
    // The last interval (index 1078) served 10 790 requests in 10 s.
    #expect(last.rate == 1079)
    #expect(series.shadow?.agreement.count == ChartHistory.capacity)
    #expect(series.shadow?.agreement.last == 0.75)
    // The events are older than the 15 minutes shown, and at most 64 are kept at all.
    #expect(series.events.isEmpty)
    history.record(.init(time: series.ends.last!, kind: .guardTrip, label: "now"))
    #expect(history.series().events.map(\.label) == ["now"])
  }

  @Test func aNewShadowSlotStartsItsAgreementAfresh() {
    let history = ChartHistory(origin: Self.origin)
    var summary = ShadowSummary()
    summary.predictions = 10
    summary.agreeing = 10
    history.sample(
      at: Self.at(seconds: 30),
      slots: ["blue"],
      requests: Self.requests,
      shadow: ("green", { _ in summary })
    )
    history.sample(
      at: Self.at(seconds: 40),
      slots: ["blue"],
      requests: Self.requests,
      shadow: ("canary", { _ in ShadowSummary() })
    )
    let shadow = history.series().shadow
    #expect(shadow?.slot == "canary")
    #expect(shadow?.agreement == [nil, nil, nil, nil])
  }
}
