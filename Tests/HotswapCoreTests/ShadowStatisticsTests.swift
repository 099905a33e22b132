import HotswapConfig
import HotswapCore
import Testing

@Suite("Shadow statistics: window, totals, drops")
struct ShadowStatisticsTests {
  static let agree = PredictionComparison(agrees: true, difference: 0)
  static let disagree = PredictionComparison(agrees: false, difference: 0.4)

  @Test func windowAndTotals() {
    let origin = ContinuousClock.now
    let statistics = ShadowStatistics(origin: origin)
    for second in 0..<100 {
      let comparisons = second % 10 == 0 ? [Self.disagree] : [Self.agree]
      statistics.recordCompared(
        comparisons,
        shadow: .microseconds(200),
        live: .microseconds(50),
        at: origin.advanced(by: .seconds(second))
      )
    }
    let now = origin.advanced(by: .seconds(99))
    let window = statistics.summary(window: .seconds(20), now: now)
    // Periods of 5 s starting at 80, 85, 90 and 95: 20 requests, 2 disagreeing (80, 90).
    #expect(window.compared == 20)
    #expect(window.disagreeing == 2)
    #expect(window.agreement == 0.9)
    let totals = statistics.totals(now: now).summary
    #expect(totals.compared == 100)
    #expect(totals.agreeing == 90)
    #expect(totals.maxDifference == 0.4)
    #expect(totals.difference.quantile(0.95)! >= 0.4)
    #expect(totals.shadowLatency.percentile(0.5)! >= .microseconds(200))
    #expect(totals.liveLatency.percentile(0.5)! < .microseconds(100))
  }

  @Test func sinceLeavesOutPeriodsThatBeganBefore() {
    let origin = ContinuousClock.now
    let statistics = ShadowStatistics(origin: origin)
    for second in 0..<30 {
      statistics.recordCompared(
        [Self.agree],
        shadow: .microseconds(1),
        live: .microseconds(1),
        at: origin.advanced(by: .seconds(second))
      )
    }
    let now = origin.advanced(by: .seconds(29))
    // A change at 12 s: the period 10–14 began before it and is left out; 15–29 count.
    let summary = statistics.summary(window: .seconds(60), now: now, since: origin.advanced(by: .seconds(12)))
    #expect(summary.compared == 15)
  }

  @Test func dropsAndErrorsCount() {
    let origin = ContinuousClock.now
    let statistics = ShadowStatistics(origin: origin)
    for _ in 0..<7 { statistics.countDrop() }
    statistics.recordError("model 'v9' failed: boom", at: origin.advanced(by: .seconds(1)))
    let window = statistics.summary(window: .seconds(60), now: origin.advanced(by: .seconds(2)))
    #expect(window.dropped == 7)
    #expect(window.errors == 1)
    #expect(window.mirrored == 1)
    let totals = statistics.totals(now: origin.advanced(by: .seconds(2)))
    #expect(totals.summary.dropped == 7)
    #expect(totals.lastError == "model 'v9' failed: boom")
    statistics.reset()
    #expect(statistics.totals().summary == ShadowSummary())
  }

  @Test func oldPeriodsLeaveTheWindow() {
    let origin = ContinuousClock.now
    let statistics = ShadowStatistics(origin: origin)
    statistics.recordCompared([Self.agree], shadow: .zero, live: .zero, at: origin)
    let later = origin.advanced(by: .seconds(700))
    #expect(statistics.summary(window: .seconds(600), now: later).compared == 0)
    #expect(statistics.totals(now: later).summary.compared == 1)
  }
}

@Suite("Shadow verdict: the guard's shadow thresholds")
struct ShadowVerdictTests {
  static func summary(predictions: Int, agreeing: Int, difference: Double = 0) -> ShadowSummary {
    var summary = ShadowSummary()
    summary.compared = predictions
    summary.predictions = predictions
    summary.agreeing = agreeing
    for _ in 0..<predictions { summary.difference.record(difference) }
    return summary
  }

  @Test func noShadowThresholdNoVerdict() {
    #expect(
      ShadowVerdict.judge(
        Self.summary(predictions: 10, agreeing: 0),
        settings: GuardSettings(maxErrorRate: 0.1)
      ) == nil
    )
  }

  @Test func waitsForMinRequests() {
    let settings = GuardSettings(minRequests: 100, minAgreement: 0.98)
    let verdict = ShadowVerdict.judge(Self.summary(predictions: 40, agreeing: 40), settings: settings)
    #expect(verdict == .waiting(compared: 40, needed: 100))
    #expect(verdict?.description == "waiting for the shadow: 40 of 100 predictions compared")
  }

  @Test func passesAndFails() {
    let settings = GuardSettings(minRequests: 100, minAgreement: 0.98)
    #expect(
      ShadowVerdict.judge(Self.summary(predictions: 200, agreeing: 197), settings: settings)
        == .passes(reason: "shadow agreement 98.5% ≥ 98% over 200 predictions")
    )
    #expect(
      ShadowVerdict.judge(Self.summary(predictions: 200, agreeing: 190), settings: settings)
        == .fails(
          threshold: .agreement,
          reason: "shadow agreement 95% < min_agreement 98% (10 of 200 predictions disagreed)"
        )
    )
  }

  @Test func maxP99Difference() {
    let settings = GuardSettings(minRequests: 10, maxP99Difference: 0.5)
    guard
      case .fails(let threshold, _) = ShadowVerdict.judge(
        Self.summary(predictions: 20, agreeing: 20, difference: 2),
        settings: settings
      )
    else {
      Issue.record("expected a failure")
      return
    }
    #expect(threshold == .difference)
    guard
      case .passes = ShadowVerdict.judge(
        Self.summary(predictions: 20, agreeing: 20, difference: 0.25),
        settings: settings
      )
    else {
      Issue.record("expected a pass")
      return
    }
  }
}
