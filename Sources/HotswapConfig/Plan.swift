/// The validated content of `conf/active.toml`: which model each slot holds, the traffic weights,
/// stickiness, guard, rollout and shadow settings.
///
/// A plan is a value and is built only by ``PlanParser``, so every plan in the program is valid:
/// it has at least one slot, a weight for every slot, and at least one weight above zero.
public struct Plan: Sendable, Equatable {
  /// The `[server]` settings (defaults where keys are absent).
  public let server: ServerSettings
  /// The slots, sorted by name.
  public let slots: [SlotSpec]
  /// The traffic weight of every slot (0 for a slot `[traffic]` does not list).
  public let weights: [String: Double]
  /// The request header whose value pins a user to a slot, lowercased; `nil` for no stickiness.
  public let stickyHeader: String?
  /// The guard thresholds, if `[guard]` is present.
  public let guardSettings: GuardSettings?
  /// The rollout schedule, if `[rollout]` is present.
  public let rollout: RolloutSettings?
  /// The shadow, if `[shadow]` is present.
  public let shadow: ShadowSettings?
  /// Which served predictions are logged (`[prediction_log]`, defaults when absent).
  public let predictionLog: PredictionLogSettings

  init(
    server: ServerSettings,
    slots: [SlotSpec],
    weights: [String: Double],
    stickyHeader: String?,
    guardSettings: GuardSettings?,
    rollout: RolloutSettings?,
    shadow: ShadowSettings? = nil,
    predictionLog: PredictionLogSettings = .defaults
  ) {
    self.server = server
    self.slots = slots.sorted { $0.name < $1.name }
    var allWeights = weights
    for slot in slots where allWeights[slot.name] == nil {
      allWeights[slot.name] = 0
    }
    self.weights = allWeights
    self.stickyHeader = stickyHeader
    self.guardSettings = guardSettings
    self.rollout = rollout
    self.shadow = shadow
    self.predictionLog = predictionLog
  }

  /// The slot's share of unpinned traffic: its weight over the sum of all weights, 0…1.
  public func share(of slot: String) -> Double {
    let total = weights.values.reduce(0, +)
    guard total > 0 else { return 0 }
    return (weights[slot] ?? 0) / total
  }

  /// The slot with this name, if the plan has one.
  public func slot(named name: String) -> SlotSpec? {
    slots.first { $0.name == name }
  }

  /// The slot names in the order of ``slots`` (sorted).
  public var slotNames: [String] { slots.map(\.name) }

  /// The weights in the order of ``slots``, ready for a traffic split.
  public var orderedWeights: [Double] { slots.map { weights[$0.name] ?? 0 } }

  /// The one slot that takes all traffic, or `nil` when traffic is split.
  public var activeSlot: String? {
    let serving = slots.filter { (weights[$0.name] ?? 0) > 0 }
    return serving.count == 1 ? serving[0].name : nil
  }
}
