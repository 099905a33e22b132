/// Something that wants served predictions from the ``PredictionTap``: the prediction log, the
/// shadow mirror.
///
/// ``takes(_:)`` runs on the request path of every prediction request, before anything is built:
/// it must be cheap — no lock, no allocation, no waiting. ``receive(_:)`` runs on the request
/// path too, after the answer is ready, for the requests ``takes(_:)`` accepted: it must only
/// hand the value over (a bounded queue, dropping when full) and return.
public protocol PredictionConsumer: Sendable {
  /// Whether this consumer wants the request about to be served.
  func takes(_ request: PredictionRequest) -> Bool
  /// The served request, for a request ``takes(_:)`` accepted.
  func receive(_ prediction: ServedPrediction)
}

/// What a ``PredictionConsumer`` knows when it decides whether it takes a request: the snapshot
/// that routed it, the slot it went to and why, the protocol and endpoint.
public struct PredictionRequest: Sendable {
  /// The snapshot the request was routed by (its plan holds the consumers' settings).
  public let snapshot: Snapshot
  /// The slot serving it.
  public let slot: ServingSlot
  /// Why it went there.
  public let reason: RouteReason
  /// REST or gRPC.
  public let wireProtocol: RequestObservation.WireProtocol
  /// The endpoint: `predict`, `infer`, `Predict` or `ModelInfer`.
  public let endpoint: String

  /// Describes a request about to be served.
  public init(
    snapshot: Snapshot,
    slot: ServingSlot,
    reason: RouteReason,
    wireProtocol: RequestObservation.WireProtocol,
    endpoint: String
  ) {
    self.snapshot = snapshot
    self.slot = slot
    self.reason = reason
    self.wireProtocol = wireProtocol
    self.endpoint = endpoint
  }

  /// Whether the client chose the slot (a pin header, or a version in the path).
  public var pinned: Bool { reason == .pinned }
}
