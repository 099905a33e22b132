extension TrafficSplit {
  static func validate(_ weights: [Double]) throws(RoutingError) {
    guard !weights.isEmpty else {
      throw RoutingError(.noSlots, "a traffic split needs at least one slot")
    }
    guard weights.count <= maximumSlots else {
      throw RoutingError(
        .tooManySlots,
        "a traffic split holds at most \(maximumSlots) slots, got \(weights.count)"
      )
    }
    for (index, weight) in weights.enumerated() {
      guard weight.isFinite else {
        throw RoutingError(
          .nonFiniteWeight,
          "weight of slot \(index) must be finite, got \(weight)"
        )
      }
      guard weight >= 0 else {
        throw RoutingError(
          .negativeWeight,
          "weight of slot \(index) must be ≥ 0, got \(weight)"
        )
      }
    }
    guard weights.reduce(0, +).isFinite else {
      throw RoutingError(.nonFiniteWeight, "the sum of the weights overflows")
    }
    guard weights.contains(where: { $0 > 0 }) else {
      throw RoutingError(.allWeightsZero, "at least one weight must be > 0")
    }
  }

  /// Integer weights with the same ratios, reduced by their gcd.
  ///
  /// Weights that are exact decimal ratios (90/10, 33.3/66.7, 1/1/1, or equal fractions) keep their
  /// exact ratio when it fits in ``maximumCycleLength``; anything else is rounded to a total of
  /// ``maximumCycleLength`` by the largest-remainder method, so each share is off by less than
  /// 1/10 000.
  static func quantize(_ weights: [Double]) -> [Int] {
    let smallest = weights.filter { $0 > 0 }.min()!
    let scales = (0...4).map { power -> Double in
      var scale = 1.0
      for _ in 0..<power { scale *= 10 }
      return scale
    }
    for base in [1.0, 1 / smallest] {
      for scale in scales {
        if let exact = exactIntegers(weights, scale: base * scale) {
          return exact
        }
      }
    }
    return largestRemainder(weights)
  }

  private static func exactIntegers(_ weights: [Double], scale: Double) -> [Int]? {
    var integers: [Int] = []
    integers.reserveCapacity(weights.count)
    for weight in weights {
      let scaled = weight * scale
      guard scaled < Double(maximumCycleLength) * 2 else { return nil }
      let rounded = scaled.rounded()
      guard abs(scaled - rounded) <= 1e-9 * Swift.max(1, scaled) else { return nil }
      integers.append(Int(rounded))
    }
    let reduced = reduce(integers)
    guard reduced.reduce(0, +) <= maximumCycleLength else { return nil }
    return reduced
  }

  private static func largestRemainder(_ weights: [Double]) -> [Int] {
    let total = weights.reduce(0, +)
    let target = Double(maximumCycleLength)
    let exact = weights.map { $0 / total * target }
    var integers = exact.map { Int($0.rounded(.down)) }
    var missing = maximumCycleLength - integers.reduce(0, +)
    let byRemainder = exact.indices.sorted { lhs, rhs in
      let left = exact[lhs] - exact[lhs].rounded(.down)
      let right = exact[rhs] - exact[rhs].rounded(.down)
      return left != right ? left > right : lhs < rhs
    }
    for index in byRemainder where missing > 0 {
      integers[index] += 1
      missing -= 1
    }
    return reduce(integers)
  }

  private static func reduce(_ integers: [Int]) -> [Int] {
    let divisor = integers.reduce(0) { gcd($0, $1) }
    return divisor > 1 ? integers.map { $0 / divisor } : integers
  }

  private static func gcd(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
  }

  /// The smooth weighted round-robin sequence (as in nginx): each step adds every weight to its
  /// slot's counter, picks the largest counter (lowest index on ties) and subtracts the total from
  /// it. Over one cycle each slot appears exactly its weight times, spread evenly.
  static func smoothCycle(_ weights: [Int]) -> [UInt8] {
    let total = weights.reduce(0, +)
    var current = [Int](repeating: 0, count: weights.count)
    var cycle: [UInt8] = []
    cycle.reserveCapacity(total)
    for _ in 0..<total {
      var chosen = 0
      for index in weights.indices {
        current[index] += weights[index]
        if current[index] > current[chosen] { chosen = index }
      }
      current[chosen] -= total
      cycle.append(UInt8(chosen))
    }
    return cycle
  }
}
