import HotswapCore
import Testing

@Suite("Shadow batch: one write per batch counts exactly what one write per copy did")
struct ShadowBatchTests {
  static let agree = PredictionComparison(agrees: true, difference: 0.01)
  static let disagree = PredictionComparison(agrees: false, difference: 0.4, relativeDifference: 0.5)

  @Test func aBatchCountsLikeItsCopiesOneByOne() {
    let origin = ContinuousClock.now
    let instant = origin.advanced(by: .seconds(12))
    let oneByOne = ShadowStatistics(origin: origin)
    let batched = ShadowStatistics(origin: origin)
    var batch = ShadowBatch(slot: "green")
    for index in 0..<ShadowBatch.limit {
      // Copies of 1, 2 or 3 rows; every fifth copy disagrees on its first row.
      var rows = Array(repeating: Self.agree, count: index % 3 + 1)
      if index % 5 == 0 { rows[0] = Self.disagree }
      let shadow = Duration.microseconds(100 + index)
      let live = Duration.microseconds(20 + index)
      oneByOne.recordCompared(rows, shadow: shadow, live: live, at: instant)
      batch.compared(rows, shadow: shadow, live: live)
    }
    oneByOne.recordError("shape mismatch", at: instant)
    oneByOne.recordError("the shadow answered 2 rows for 1", at: instant)
    batch.failed("shape mismatch")
    batch.failed("the shadow answered 2 rows for 1")
    batched.record(batch, at: instant)

    let now = origin.advanced(by: .seconds(14))
    let expected = oneByOne.totals(now: now)
    let got = batched.totals(now: now)
    #expect(got.summary == expected.summary)
    #expect(got.summary.compared == ShadowBatch.limit)
    #expect(got.summary.errors == 2)
    #expect(got.lastError == "the shadow answered 2 rows for 1")
    #expect(
      batched.summary(window: .seconds(60), now: now) == oneByOne.summary(window: .seconds(60), now: now)
    )
  }

  @Test func runsKeepTheirRows() {
    var batch = ShadowBatch(slot: "green")
    #expect(batch.isEmpty)
    batch.compared([Self.agree, Self.disagree], shadow: .microseconds(3), live: .microseconds(1))
    batch.compared([Self.disagree], shadow: .microseconds(4), live: .microseconds(2))
    #expect(!batch.isEmpty)
    #expect(batch.runs.count == 2)
    #expect(Array(batch.comparisons(of: batch.runs[0])) == [Self.agree, Self.disagree])
    #expect(Array(batch.comparisons(of: batch.runs[1])) == [Self.disagree])
    var failedOnly = ShadowBatch(slot: "green")
    failedOnly.failed("boom")
    #expect(!failedOnly.isEmpty)
  }
}
