import Testing

@testable import HotswapRouting

@Suite("TrafficSplit sticky keys")
struct StickyRoutingTests {
  private static let keys = (0..<100_000).map { "user-\($0)" }

  @Test func hashIsStableAcrossProcesses() {
    // Fixed values: a per-process seeded hash (Swift's Hasher) would fail here.
    #expect(StickyHash.hash(key: "user-42", slot: "green") == 0x967B_E3C2_7F93_6112)
    #expect(StickyHash.hash(key: "", slot: "") == 0x1BBD_5C81_3C69_A8D7)
    #expect(StickyHash.hash(key: "user-42", slot: "green") != StickyHash.hash(key: "user-42", slot: "blue"))
  }

  @Test func hashAcceptsSubstrings() {
    let header = "id=user-42;"
    let key = header.dropFirst(3).dropLast()
    #expect(StickyHash.hash(key: key, slot: "green") == StickyHash.hash(key: "user-42", slot: "green"))
  }

  @Test(arguments: [[90.0, 10.0], [50, 50], [1, 1, 1], [70, 20, 10], [0, 100]])
  func splitsKeysWithinOnePercentOfShares(_ weights: [Double]) throws {
    let split = try TrafficSplit(weights: weights)
    let names = ["blue", "green", "red"].prefix(weights.count).map { $0 }
    var counts = [Int](repeating: 0, count: weights.count)
    for key in Self.keys {
      counts[split.slot(forStickyKey: key, slotNames: names)] += 1
    }
    for (index, share) in split.shares.enumerated() {
      let observed = Double(counts[index]) / Double(Self.keys.count)
      #expect(abs(observed - share) <= 0.01, "slot \(index): \(observed) vs \(share)")
    }
  }

  @Test func sameKeyAlwaysGetsSameSlot() throws {
    let split = try TrafficSplit(weights: [50, 50])
    let again = try TrafficSplit(weights: [50, 50])
    for key in Self.keys.prefix(1_000) {
      let first = split.slot(forStickyKey: key, slotNames: ["blue", "green"])
      #expect(split.slot(forStickyKey: key, slotNames: ["blue", "green"]) == first)
      #expect(again.slot(forStickyKey: key, slotNames: ["blue", "green"]) == first)
    }
  }

  @Test func raisingTheCanaryOnlyMovesKeysToTheCanary() throws {
    let names = ["blue", "green"]
    let before = try TrafficSplit(weights: [90, 10])
    let after = try TrafficSplit(weights: [90, 50])
    var moved = 0
    for key in Self.keys {
      let old = before.slot(forStickyKey: key, slotNames: names)
      let new = after.slot(forStickyKey: key, slotNames: names)
      if old != new {
        #expect(old == 0 && new == 1, "\(key) moved from \(old) to \(new)")
        moved += 1
      }
    }
    // From 10 % to 1/1.4 ≈ 35.7 %: about a quarter of all keys move.
    #expect(moved > 20_000 && moved < 32_000)
  }

  @Test(arguments: [0, 1, 2])
  func threeSlotsStayMonotone(_ raised: Int) throws {
    let names = ["blue", "green", "red"]
    let base: [Double] = [60, 30, 10]
    var raisedWeights = base
    raisedWeights[raised] *= 2
    let before = try TrafficSplit(weights: base)
    let after = try TrafficSplit(weights: raisedWeights)
    var moved = 0
    for key in Self.keys.prefix(30_000) {
      let old = before.slot(forStickyKey: key, slotNames: names)
      let new = after.slot(forStickyKey: key, slotNames: names)
      if old != new {
        #expect(new == raised, "\(key) moved from \(old) to \(new), not to \(raised)")
        moved += 1
      }
    }
    #expect(moved > 0)
  }

  @Test func zeroWeightSlotIsNeverChosenForStickyKeys() throws {
    let split = try TrafficSplit(weights: [100, 0])
    for key in Self.keys.prefix(5_000) {
      #expect(split.slot(forStickyKey: key, slotNames: ["blue", "green"]) == 0)
    }
  }

  @Test func missingSlotNamesFallBackToAWeightedSlot() throws {
    let split = try TrafficSplit(weights: [0, 100])
    #expect(split.slot(forStickyKey: "user-1", slotNames: ["blue"]) == 1)
    #expect(split.slot(forStickyKey: "user-1", slotNames: []) == 1)
  }
}
