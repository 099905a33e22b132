import HotswapConfig

/// How the served weights differ from the plan's: a rollout's current share for its slot, then
/// guard trips moving each tripped canary's weight to its stable slot.
public struct TrafficOverride: Sendable, Equatable {
  /// The rollout's slot and its share in percent, while a rollout governs the split.
  public var rollout: (slot: String, percent: Double)?
  /// Tripped canaries and where their traffic went, in trip order.
  public var trips: [(slot: String, stable: String)]

  /// Creates an override.
  public init(rollout: (slot: String, percent: Double)? = nil, trips: [(slot: String, stable: String)] = []) {
    self.rollout = rollout
    self.trips = trips
  }

  /// No change to the plan's weights.
  public static let none = TrafficOverride()

  /// The weights to serve: the plan's, then the rollout share (the other slots split the rest in
  /// proportion to their plan weights, equally if they have none), then the trips.
  public func weights(for plan: Plan) -> [String: Double] {
    var weights = plan.weights
    if let rollout, weights[rollout.slot] != nil {
      let others = plan.slotNames.filter { $0 != rollout.slot }
      let otherTotal = others.reduce(0.0) { $0 + plan.weights[$1, default: 0] }
      weights[rollout.slot] = rollout.percent
      for name in others {
        let part = otherTotal > 0 ? plan.weights[name, default: 0] / otherTotal : 1 / Double(others.count)
        weights[name] = (100 - rollout.percent) * part
      }
    }
    for trip in trips where weights[trip.slot] != nil {
      let moved = weights[trip.slot, default: 0]
      weights[trip.slot] = 0
      let target = weights[trip.stable] != nil ? trip.stable : Self.largest(weights, excluding: trip.slot)
      if let target { weights[target, default: 0] += moved }
    }
    return weights
  }

  private static func largest(_ weights: [String: Double], excluding slot: String) -> String? {
    weights.filter { $0.key != slot }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.first?.key
  }

  /// Equal when the rollout and the trips are.
  public static func == (lhs: TrafficOverride, rhs: TrafficOverride) -> Bool {
    lhs.rollout?.slot == rhs.rollout?.slot && lhs.rollout?.percent == rhs.rollout?.percent
      && lhs.trips.map(\.slot) == rhs.trips.map(\.slot) && lhs.trips.map(\.stable) == rhs.trips.map(\.stable)
  }
}
