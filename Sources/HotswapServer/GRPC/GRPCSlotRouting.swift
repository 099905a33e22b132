import GRPCCore
import HotswapCore

/// Per-RPC routing for gRPC, the same as REST's: the pin from `x-hotswap-slot` metadata, the
/// sticky key from the plan's sticky header, and the serving slot reported back in metadata.
enum GRPCSlotRouting {
  /// The metadata key that pins a slot (or version).
  static let pinKey = SlotHeader.pin
  /// The metadata key carrying the serving version in responses.
  static let versionKey = "x-model-version"

  /// The pin in `metadata`, if any.
  static func pin(_ metadata: Metadata) -> String? {
    first(metadata, pinKey)
  }

  /// The sticky key in `metadata` under the snapshot's sticky header, if configured and sent.
  static func stickyKey(_ metadata: Metadata, _ snapshot: Snapshot) -> String? {
    snapshot.stickyHeader.flatMap { first(metadata, $0) }
  }

  /// Picks the slot for one RPC: pin, then sticky key, then weights.
  static func slot(_ snapshot: Snapshot, _ metadata: Metadata) throws(RPCError) -> ServingSlot {
    switch snapshot.route(pin: pin(metadata), stickyKey: stickyKey(metadata, snapshot)) {
    case .slot(let slot, _):
      return slot
    case .unknownPin(let name):
      throw RPCError(
        code: .notFound,
        message: "no slot or version '\(name)'; this server has \(InferenceTarget.describe(snapshot))"
      )
    }
  }

  /// The current snapshot, or UNAVAILABLE before the first plan is served.
  static func snapshot(_ environment: ServingEnvironment) throws(RPCError) -> Snapshot {
    guard let snapshot = environment.store.snapshot else {
      throw RPCError(
        code: .unavailable,
        message: "no model is loaded yet; the first plan has not been applied"
      )
    }
    return snapshot
  }

  /// `x-hotswap-slot` and `x-model-version` for a response served by `slot`.
  static func metadata(_ slot: ServingSlot) -> Metadata {
    var metadata = Metadata()
    metadata.addString(slot.name, forKey: pinKey)
    metadata.addString(slot.version, forKey: versionKey)
    return metadata
  }

  /// A successful response carrying the slot in its initial and trailing metadata.
  static func response<Message: Sendable>(
    _ message: Message,
    servedBy slot: ServingSlot
  ) -> ServerResponse<Message> {
    let metadata = metadata(slot)
    return ServerResponse(message: message, metadata: metadata, trailingMetadata: metadata)
  }

  private static func first(_ metadata: Metadata, _ key: String) -> String? {
    var iterator = metadata[stringValues: key].makeIterator()
    return iterator.next()
  }
}
