import HotswapCore
import Testing

@Suite("Shadow comparison: agreement and differences per prediction")
struct ShadowComparisonTests {
  static let classes = ["0", "1", "2"]

  private func compare(
    _ live: Prediction,
    _ shadow: Prediction,
    tolerance: Double = 0
  ) -> PredictionComparison {
    PredictionComparison.compare(
      live: live,
      shadow: shadow,
      liveClasses: Self.classes,
      shadowClasses: Self.classes,
      tolerance: tolerance
    )
  }

  @Test func classifiersAgreeOnTheLabel() {
    let live = Prediction(value: .integer(1), probabilities: [0.1, 0.7, 0.2])
    let shadow = Prediction(value: .integer(1), probabilities: [0.05, 0.6, 0.35])
    let result = compare(live, shadow)
    #expect(result.agrees)
    #expect(abs(result.difference! - 0.15) < 1e-12)
    #expect(result.relativeDifference == nil)
  }

  @Test func classifiersDisagree() {
    let result = compare(
      Prediction(value: .integer(1), probabilities: [0.1, 0.5, 0.4]),
      Prediction(value: .integer(2), probabilities: [0.1, 0.4, 0.5])
    )
    #expect(!result.agrees)
    #expect(abs(result.difference! - 0.1) < 1e-12)
  }

  @Test func anIntegerLabelAgreesWithTheSameLabelAsText() {
    #expect(compare(Prediction(value: .integer(2)), Prediction(value: .string("2"))).agrees)
    #expect(compare(Prediction(value: .integer(2)), Prediction(value: .string("2"))).difference == nil)
  }

  @Test func probabilitiesAreMatchedByClassLabel() {
    let result = PredictionComparison.compare(
      live: Prediction(value: .string("b"), probabilities: [0.2, 0.8]),
      shadow: Prediction(value: .string("b"), probabilities: [0.7, 0.1, 0.2]),
      liveClasses: ["a", "b"],
      shadowClasses: ["b", "c", "a"],
      tolerance: 0
    )
    // b: 0.8 vs 0.7, a: 0.2 vs 0.2, c: 0 vs 0.1.
    #expect(result.agrees)
    #expect(abs(result.difference! - 0.1) < 1e-12)
  }

  @Test(arguments: [
    (100.0, 100.0, 0.0, true, 0.0, 0.0),
    (100.0, 110.0, 0.0, false, 10.0, 10.0 / 110.0),
    (100.0, 110.0, 10.0, true, 10.0, 10.0 / 110.0),
    (0.0, 0.0, 0.0, true, 0.0, 0.0),
    (-4.0, 4.0, 1.0, false, 8.0, 2.0),
  ])
  func regressors(
    live: Double,
    shadow: Double,
    tolerance: Double,
    agrees: Bool,
    absolute: Double,
    relative: Double
  ) {
    let result = compare(
      Prediction(value: .number(live)),
      Prediction(value: .number(shadow)),
      tolerance: tolerance
    )
    #expect(result.agrees == agrees)
    #expect(abs(result.difference! - absolute) < 1e-12)
    #expect(abs(result.relativeDifference! - relative) < 1e-12)
  }

  @Test func multiOutputRegressorsTakeTheLargestDifference() {
    let result = compare(Prediction(value: .numbers([1, 2, 3])), Prediction(value: .numbers([1, 2.5, 2])))
    #expect(!result.agrees)
    #expect(result.difference == 1)
  }

  @Test func nanIsFarFromEverythingButNaN() {
    #expect(compare(Prediction(value: .number(.nan)), Prediction(value: .number(.nan))).agrees)
    let result = compare(Prediction(value: .number(1)), Prediction(value: .number(.nan)), tolerance: 1e9)
    #expect(!result.agrees)
    #expect(result.difference == .infinity)
  }
}

@Suite("Difference histogram: buckets and quantiles")
struct DifferenceHistogramTests {
  @Test func zeroHasItsOwnBucket() {
    var histogram = DifferenceHistogram()
    for _ in 0..<99 { histogram.record(0) }
    histogram.record(0.5)
    #expect(histogram.quantile(0.5) == 0)
    #expect(histogram.quantile(0.99) == 0)
    #expect(histogram.quantile(1) == 0.5625)
  }

  @Test(arguments: [1e-5, 0.001, 0.0421, 0.5, 1, 3.7, 250, 123_456])
  func quantilesAreAtMostOneEighthHigh(value: Double) throws {
    var histogram = DifferenceHistogram()
    histogram.record(value)
    let read = try #require(histogram.quantile(0.99))
    #expect(read >= value)
    #expect(read <= value * 1.125 + 1e-15)
  }

  @Test func outOfRangeValues() {
    #expect(DifferenceHistogram.bucket(.infinity) == DifferenceHistogram.bucketCount - 1)
    #expect(DifferenceHistogram.bucket(.nan) == DifferenceHistogram.bucketCount - 1)
    #expect(DifferenceHistogram.bucket(1e300) == DifferenceHistogram.bucketCount - 1)
    #expect(DifferenceHistogram.bucket(1e-300) == 1)
    var histogram = DifferenceHistogram()
    histogram.record(.infinity)
    #expect(histogram.quantile(0.5) == 1_048_576)
  }

  @Test func bucketsIncreaseWithTheValue() {
    var last = -1
    var value = 1e-7
    while value < 1e6 {
      let bucket = DifferenceHistogram.bucket(value)
      #expect(bucket >= last)
      #expect(DifferenceHistogram.upperBound(ofBucket: bucket) >= value)
      last = bucket
      value *= 1.07
    }
  }

  @Test func roundTripsThroughItsBuckets() {
    var histogram = DifferenceHistogram()
    for value in [0, 0.25, 0.25, 3, 1e-9] { histogram.record(value) }
    #expect(DifferenceHistogram(buckets: histogram.nonEmptyBuckets) == histogram)
  }
}

@Suite("Shadow sample: exact over every window")
struct ShadowSamplerTests {
  @Test(arguments: [100.0, 50, 25, 10, 12.5, 1, 0.01])
  func takesExactlyItsShare(percent: Double) {
    let cycle = 10_000
    let taken = (0..<UInt64(cycle)).filter { ShadowSampler.takes($0, percent: percent) }.count
    #expect(taken == Int((percent * 100).rounded()))
  }

  @Test func aQuarterTakesOneInEveryFour() {
    for start in stride(from: UInt64(0), to: 400, by: 4) {
      let window = (start..<start + 4).filter { ShadowSampler.takes($0, percent: 25) }
      #expect(window.count == 1)
    }
  }
}
