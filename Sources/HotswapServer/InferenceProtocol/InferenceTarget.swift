import HotswapCore

/// Resolves the model and version an Open Inference Protocol call names to a slot of the current
/// snapshot: a version pins the slot holding it; without one the request is routed like any
/// other (pin header or metadata, sticky key, weights). Pure: the snapshot is passed in.
public struct InferenceTarget: Sendable {
  /// The served model's name (`[server] model_name`).
  public let modelName: String

  /// Creates a resolver for the model name.
  public init(modelName: String) {
    self.modelName = modelName
  }

  /// The snapshot, or UNAVAILABLE before the first plan is served.
  public func require(_ snapshot: Snapshot?) throws(InferenceError) -> Snapshot {
    guard let snapshot else {
      throw InferenceError(.unavailable, "no model is loaded yet; the first plan has not been applied")
    }
    return snapshot
  }

  /// Checks the model name; NOT_FOUND for any other.
  public func checkName(_ name: String) throws(InferenceError) {
    guard name == modelName else {
      throw InferenceError(.notFound, "unknown model '\(name)'; this server serves '\(modelName)'")
    }
  }

  /// The slot that serves a request for `name` at `version` (nil or empty: routed by `pin`,
  /// `stickyKey` and the weights).
  public func slot(
    in snapshot: Snapshot,
    name: String,
    version: String?,
    pin: String?,
    stickyKey: String?
  )
    throws(InferenceError) -> ServingSlot
  {
    try route(in: snapshot, name: name, version: version, pin: pin, stickyKey: stickyKey).slot
  }

  /// The slot that serves a request for `name` at `version`, and why (a version in the path
  /// pins it).
  public func route(
    in snapshot: Snapshot,
    name: String,
    version: String?,
    pin: String?,
    stickyKey: String?
  )
    throws(InferenceError) -> (slot: ServingSlot, reason: RouteReason)
  {
    try checkName(name)
    if let version, !version.isEmpty {
      return (try slot(in: snapshot, version: version), .pinned)
    }
    switch snapshot.route(pin: pin, stickyKey: stickyKey) {
    case .slot(let slot, let reason):
      return (slot, reason)
    case .unknownPin(let pin):
      throw InferenceError(
        .notFound,
        "no slot or version '\(pin)'; this server has \(Self.describe(snapshot))"
      )
    }
  }

  /// The slot described by metadata calls: the one holding `version`, else the slot with the
  /// largest share of traffic (ties: first by name).
  public func describedSlot(
    in snapshot: Snapshot,
    name: String,
    version: String?
  ) throws(InferenceError) -> ServingSlot {
    try checkName(name)
    if let version, !version.isEmpty {
      return try slot(in: snapshot, version: version)
    }
    var best = snapshot.slots[0]
    for slot in snapshot.slots where slot.share > best.share { best = slot }
    return best
  }

  private func slot(in snapshot: Snapshot, version: String) throws(InferenceError) -> ServingSlot {
    guard let slot = snapshot.slot(version: version) else {
      throw InferenceError(
        .notFound,
        "model '\(modelName)' has no version '\(version)'; served versions: \(snapshot.versions.joined(separator: ", "))"
      )
    }
    return slot
  }

  static func describe(_ snapshot: Snapshot) -> String {
    snapshot.slots.map { "\($0.name) (\($0.version))" }.joined(separator: ", ")
  }
}
