import Testing

@testable import HotswapRouting

@Suite("TrafficSplit weighted sequence")
struct TrafficSplitTests {
  private func counts(_ split: TrafficSplit, positions: Int, start: UInt64 = 0) -> [Int] {
    var counts = [Int](repeating: 0, count: split.shares.count)
    for n in 0..<UInt64(positions) {
      counts[split.slot(atPosition: start + n)] += 1
    }
    return counts
  }

  @Test func ninetyTenIsExactInEveryWindowOfTen() throws {
    let split = try TrafficSplit(weights: [90, 10])
    #expect(split.cycleLength == 10)
    #expect(counts(split, positions: 10_000) == [9_000, 1_000])
    let sequence = (0..<UInt64(10_100)).map { split.slot(atPosition: $0) }
    for start in 0...(sequence.count - 10) {
      let greens = sequence[start..<(start + 10)].filter { $0 == 1 }.count
      #expect(greens == 1, "window starting at \(start) has \(greens) greens")
    }
  }

  @Test func ninetyTenIsInterleavedNotBatched() throws {
    let split = try TrafficSplit(weights: [90, 10])
    let cycle = (0..<UInt64(10)).map { split.slot(atPosition: $0) }
    // The green position sits inside the cycle, not at either end.
    let green = try #require(cycle.firstIndex(of: 1))
    #expect(green > 0 && green < 9)
  }

  struct Case: Sendable, CustomTestStringConvertible {
    let weights: [Double]
    let quantized: [Int]
    var testDescription: String { "\(weights)" }
  }

  @Test(arguments: [
    Case(weights: [90, 10], quantized: [9, 1]),
    Case(weights: [1, 1, 1], quantized: [1, 1, 1]),
    Case(weights: [1.0 / 3, 1.0 / 3, 1.0 / 3], quantized: [1, 1, 1]),
    Case(weights: [0, 100], quantized: [0, 1]),
    Case(weights: [33.3, 66.7], quantized: [333, 667]),
    Case(weights: [0.05, 0.95], quantized: [1, 19]),
    Case(weights: [2.5, 7.5, 0], quantized: [1, 3, 0]),
    Case(weights: [1, 9_999], quantized: [1, 9_999]),
  ])
  func quantizesToExactRatios(_ example: Case) throws {
    let split = try TrafficSplit(weights: example.weights)
    #expect(split.quantizedWeights == example.quantized)
    #expect(split.cycleLength == example.quantized.reduce(0, +))
    #expect(counts(split, positions: split.cycleLength) == example.quantized)
  }

  @Test func thirdsRotateEvenly() throws {
    let split = try TrafficSplit(weights: [1.0 / 3, 1.0 / 3, 1.0 / 3])
    #expect(counts(split, positions: 9_999) == [3_333, 3_333, 3_333])
    for n in UInt64(0)..<30 {
      #expect(split.slot(atPosition: n) == Int(n % 3))
    }
  }

  @Test func zeroWeightSlotIsNeverChosen() throws {
    let split = try TrafficSplit(weights: [0, 100])
    #expect(counts(split, positions: 1_000) == [0, 1_000])
  }

  @Test(arguments: [
    [0.123456789, 0.876543211],
    [1e-3, 3.14159, 2.71828],
    [17.17, 0.0001, 82.8299],
    [1, 1e7],
    [0.7, 0.2, 0.1, 1e-5],
  ])
  func quantizationErrorIsAtMostOneTenThousandth(_ weights: [Double]) throws {
    let split = try TrafficSplit(weights: weights)
    #expect(split.cycleLength <= TrafficSplit.maximumCycleLength)
    let total = Double(split.quantizedWeights.reduce(0, +))
    for (index, share) in split.shares.enumerated() {
      let quantizedShare = Double(split.quantizedWeights[index]) / total
      #expect(abs(quantizedShare - share) <= 1e-4, "slot \(index): \(quantizedShare) vs \(share)")
    }
    #expect(abs(split.shares.reduce(0, +) - 1) < 1e-12)
  }

  @Test func positionWrapsAroundTheWholeCounterRange() throws {
    let split = try TrafficSplit(weights: [90, 10])
    #expect(split.slot(atPosition: .max) == split.slot(atPosition: UInt64.max % 10))
  }

  struct Invalid: Sendable, CustomTestStringConvertible {
    let weights: [Double]
    let code: RoutingError.Code
    var testDescription: String { weights.count > 8 ? "\(weights.count) weights" : "\(weights)" }
  }

  @Test(arguments: [
    Invalid(weights: [], code: .noSlots),
    Invalid(weights: [0, 0], code: .allWeightsZero),
    Invalid(weights: [10, -5], code: .negativeWeight),
    Invalid(weights: [.nan, 1], code: .nonFiniteWeight),
    Invalid(weights: [.infinity, 1], code: .nonFiniteWeight),
    Invalid(weights: [.greatestFiniteMagnitude, .greatestFiniteMagnitude], code: .nonFiniteWeight),
    Invalid(weights: [Double](repeating: 1, count: 257), code: .tooManySlots),
  ])
  func rejectsWeightsThatCannotRoute(_ example: Invalid) {
    #expect(throws: RoutingError.self) {
      _ = try TrafficSplit(weights: example.weights)
    }
    do {
      _ = try TrafficSplit(weights: example.weights)
    } catch {
      #expect(error.code == example.code)
      #expect(!error.message.isEmpty)
    }
  }
}
