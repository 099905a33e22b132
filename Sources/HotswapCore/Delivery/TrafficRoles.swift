/// Which slot is stable and which are canaries under a set of effective weights: the stable slot
/// takes the largest share (a rollout's slot is never stable while it rolls out); every other
/// slot with traffic is a canary the guard watches.
public struct TrafficRoles: Sendable, Equatable {
  /// The slot a tripped canary's traffic moves to; nil when no slot takes traffic.
  public let stable: String?
  /// Slots with traffic that are not the stable one, sorted.
  public let canaries: [String]

  /// Creates roles directly.
  public init(stable: String?, canaries: [String]) {
    self.stable = stable
    self.canaries = canaries
  }

  /// Works out the roles: `weights` are the effective weights by slot, `rolloutSlot` the slot of
  /// an unfinished rollout. Ties for the largest weight go to the first slot by name.
  public init(weights: [String: Double], rolloutSlot: String? = nil) {
    let serving = weights.filter { $0.value > 0 }.keys.sorted()
    let candidates = serving.filter { $0 != rolloutSlot }
    var stable: String? = nil
    for name in candidates where stable == nil || weights[name, default: 0] > weights[stable!, default: 0] {
      stable = name
    }
    if stable == nil, rolloutSlot == nil { stable = serving.first }
    self.stable = stable
    self.canaries = serving.filter { $0 != stable }
  }
}
