#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How requests are divided between slots: an exact weighted sequence for ordinary requests and a
/// weighted rendezvous hash for sticky ones.
///
/// Build one per snapshot; both lookups are allocation-free and take no lock, so they can run on
/// every request. The caller keeps an atomic counter per snapshot and asks for the slot at the
/// counter's next position.
public struct TrafficSplit: Sendable, Equatable {
  /// The largest quantized total, so a cycle never holds more than this many positions.
  public static let maximumCycleLength = 10_000
  /// The most slots one split can hold (indices are stored as bytes).
  public static let maximumSlots = 256

  /// Normalized shares per slot index; they sum to 1.
  public let shares: [Double]
  /// The integer weights the cycle was built from, reduced by their greatest common divisor.
  public let quantizedWeights: [Int]
  @usableFromInline let cycle: [UInt8]

  /// Creates a split from weights per slot index (each ≥ 0 and finite, at least one > 0).
  ///
  /// Weights are quantized to integers whose shares differ from the exact ones by at most
  /// 1/10 000 of the total, then reduced by their gcd; the smooth weighted round-robin cycle is
  /// computed once here.
  public init(weights: [Double]) throws(RoutingError) {
    try Self.validate(weights)
    let total = weights.reduce(0, +)
    shares = weights.map { $0 / total }
    quantizedWeights = Self.quantize(weights)
    cycle = Self.smoothCycle(quantizedWeights)
  }

  /// How many positions the sequence has before it repeats (the sum of the quantized weights).
  public var cycleLength: Int { cycle.count }

  /// The slot index for the n-th unpinned request.
  ///
  /// Exact over each cycle and interleaved smoothly: at 90/10, every 10 consecutive positions hold
  /// exactly one position of the second slot.
  @inlinable
  public func slot(atPosition n: UInt64) -> Int {
    Int(cycle[Int(n % UInt64(cycle.count))])
  }

  /// The slot index for a sticky key: weighted rendezvous hashing over ``StickyHash``.
  ///
  /// Monotone: raising one slot's weight only moves keys to that slot, never between the others or
  /// away from it. Weight-0 slots are never chosen. `slotNames` gives the name of each slot index;
  /// only indices present in both `slotNames` and the weights are considered, and if none of them
  /// has a weight the weighted sequence's first slot is returned.
  @inlinable
  public func slot(forStickyKey key: some StringProtocol, slotNames: [String]) -> Int {
    StickyHash.withBytes(of: key) { slot(forStickyKeyBytes: $0, slotNames: slotNames) }
  }

  /// ``slot(forStickyKey:slotNames:)`` for a key given as UTF-8 bytes.
  public func slot(forStickyKeyBytes key: UnsafeBufferPointer<UInt8>, slotNames: [String]) -> Int {
    var best = -1
    var bestScore = -Double.infinity
    for index in 0..<min(shares.count, slotNames.count) {
      let share = shares[index]
      guard share > 0 else { continue }
      let hash = StickyHash.withBytes(of: slotNames[index]) { StickyHash.hash(key: key, slot: $0) }
      // -log(u) is an exponential variate; dividing the weight by it gives the classic weighted
      // rendezvous score, whose arg-max picks slot i with probability share[i].
      let score = share / -log(StickyHash.unitInterval(hash))
      if score > bestScore {
        bestScore = score
        best = index
      }
    }
    return best >= 0 ? best : Int(cycle[0])
  }
}
