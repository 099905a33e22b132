import HotswapCore

/// Per-call routing for gRPC, the same as REST's: the pin from `x-hotswap-slot` metadata, the
/// sticky key from the plan's sticky header, and the serving slot reported back in metadata.
enum GRPCSlotRouting {
  /// The sticky key in the call's metadata under the snapshot's sticky header, if configured and
  /// sent.
  static func stickyKey(_ head: GRPCRequestHead, _ snapshot: Snapshot) -> String? {
    snapshot.stickyHeader.flatMap { head.metadata($0) }
  }

  /// Picks the slot for one call: pin, then sticky key, then weights.
  static func slot(_ snapshot: Snapshot, _ head: GRPCRequestHead) throws(GRPCStatus) -> ServingSlot {
    try route(snapshot, head).slot
  }

  /// Picks the slot for one call, with why and the sticky key it carried.
  static func route(
    _ snapshot: Snapshot,
    _ head: GRPCRequestHead
  ) throws(GRPCStatus) -> (slot: ServingSlot, reason: RouteReason, stickyKey: String?) {
    let sticky = stickyKey(head, snapshot)
    switch snapshot.route(pin: head.pin, stickyKey: sticky) {
    case .slot(let slot, let reason):
      return (slot, reason, sticky)
    case .unknownPin(let name):
      throw GRPCStatus(
        .notFound,
        "no slot or version '\(name)'; this server has \(InferenceTarget.describe(snapshot))"
      )
    }
  }

  /// The current snapshot, or UNAVAILABLE before the first plan is served.
  static func snapshot(_ environment: ServingEnvironment) throws(GRPCStatus) -> Snapshot {
    guard let snapshot = environment.store.snapshot else {
      throw GRPCStatus(.unavailable, "no model is loaded yet; the first plan has not been applied")
    }
    return snapshot
  }

  /// `x-hotswap-slot` and `x-model-version` for a response served by `slot`.
  static func metadata(_ slot: ServingSlot) -> [(String, String)] {
    [(GRPCRequestHead.pinKey, slot.name), (GRPCRequestHead.versionKey, slot.version)]
  }
}
