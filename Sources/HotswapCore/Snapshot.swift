import FoundationEssentials
import HotswapConfig
import HotswapRouting
import Synchronization

/// The immutable routing table every request reads once and keeps for its whole life: the plan,
/// the loaded slots and the traffic split, with a generation number. Only the position counter of
/// the smooth weighted round-robin moves, with one atomic increment per unpinned request.
public final class Snapshot: Sendable {
  /// Increases by one with every published snapshot.
  public let generation: UInt64
  /// The plan this snapshot serves (as validated; `--only-slot` narrows `slots`, not the plan).
  public let plan: Plan
  /// The slots, sorted by name; index `i` is slot `i` of `split`.
  public let slots: [ServingSlot]
  /// The split of unpinned traffic between `slots`.
  public let split: TrafficSplit
  /// Lowercased request header whose value keeps a client on one slot, if configured.
  public let stickyHeader: String?
  /// When this snapshot was published.
  public let publishedAt: Date
  private let slotNames: [String]
  private let position = Atomic<UInt64>(0)

  /// Creates a snapshot. `slots` must be non-empty with at least one positive weight.
  public init(
    generation: UInt64,
    plan: Plan,
    slots: [ServingSlot],
    publishedAt: Date = Date()
  ) throws(RoutingError) {
    self.generation = generation
    self.plan = plan
    self.slots = slots.sorted { $0.name < $1.name }
    self.slotNames = self.slots.map(\.name)
    self.split = try TrafficSplit(weights: self.slots.map(\.weight))
    self.stickyHeader = plan.stickyHeader
    self.publishedAt = publishedAt
  }

  /// Picks the slot for one request: the pin first, then the sticky key, then the weighted
  /// sequence. A pin may name a slot or a version; pinning a slot with no traffic is allowed (that
  /// is how the standby is tested before it gets any).
  public func route(pin: String?, stickyKey: String?) -> Route {
    if let pin {
      guard let slot = slot(pinnedBy: pin) else { return .unknownPin(pin) }
      return .slot(slot, .pinned)
    }
    if let stickyKey, stickyHeader != nil {
      return .slot(slots[split.slot(forStickyKey: stickyKey, slotNames: slotNames)], .sticky)
    }
    let next = position.add(1, ordering: .relaxed).oldValue
    return .slot(slots[split.slot(atPosition: next)], .weighted)
  }

  /// The slot with this name, or else the slot serving this version.
  public func slot(pinnedBy pin: String) -> ServingSlot? {
    slot(named: pin) ?? slot(version: pin)
  }

  /// The slot with this name.
  public func slot(named name: String) -> ServingSlot? {
    slots.first { $0.name == name }
  }

  /// The first slot (by name) serving this version.
  public func slot(version: String) -> ServingSlot? {
    slots.first { $0.version == version }
  }

  /// Distinct versions served, in slot order.
  public var versions: [String] {
    var seen: [String] = []
    for slot in slots where !seen.contains(slot.version) { seen.append(slot.version) }
    return seen
  }
}

/// Where a request goes.
public enum Route: Sendable {
  /// Serve on this slot.
  case slot(ServingSlot, RouteReason)
  /// The request pinned a slot or version this snapshot does not have.
  case unknownPin(String)
}

/// Why a request went to its slot.
public enum RouteReason: String, Sendable {
  case pinned
  case sticky
  case weighted
}
