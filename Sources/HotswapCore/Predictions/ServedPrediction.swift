import FoundationEssentials
import OnnxInference

/// One served prediction request, as the ``PredictionTap`` hands it to its consumers (the
/// prediction log, the shadow mirror): which slot answered, on which protocol and endpoint, what
/// it was asked, what it answered or why it failed, how long it took. Built only when a consumer
/// took the request; it holds references to arrays the request already had, so building it copies
/// no rows or tensors.
public struct ServedPrediction: Sendable {
  /// What the slot was asked.
  public enum Input: Sendable {
    /// Feature rows (REST `/predict`, gRPC `Predict`), in the model's feature order.
    case rows([[FeatureValue]])
    /// Input tensors in the model's input order (Open Inference Protocol `infer`).
    case tensors([Tensor])
  }

  /// What the slot answered.
  public enum Output: Sendable {
    /// One prediction per row.
    case predictions([Prediction])
    /// Every output tensor of the model, in its output order.
    case tensors([Tensor])
    /// The request failed after it was routed: the message the client got, and whether it was
    /// the server's fault (a 5xx / `INTERNAL`) rather than the request's.
    case failed(message: String, serverSide: Bool)
  }

  /// The snapshot that routed the request: its plan holds the consumers' settings (the shadow
  /// mirror copies the request to the shadow slot of this snapshot, not of a later one).
  public let snapshot: Snapshot
  /// The slot that answered.
  public let slot: ServingSlot
  /// Why the request went to that slot (pinned, sticky or weighted).
  public let reason: RouteReason
  /// REST or gRPC.
  public let wireProtocol: RequestObservation.WireProtocol
  /// The endpoint: `predict`, `infer`, `Predict` or `ModelInfer`.
  public let endpoint: String
  /// The sticky key the request carried, when the plan has a sticky header and it was sent.
  public let stickyKey: String?
  /// What the slot was asked.
  public let input: Input
  /// What it answered.
  public let output: Output
  /// Time from routing to the answer being ready.
  public let latency: Duration
  /// When the answer was ready.
  public let servedAt: Date

  /// Creates a served prediction.
  public init(
    snapshot: Snapshot,
    slot: ServingSlot,
    reason: RouteReason,
    wireProtocol: RequestObservation.WireProtocol,
    endpoint: String,
    stickyKey: String?,
    input: Input,
    output: Output,
    latency: Duration,
    servedAt: Date = Date()
  ) {
    self.snapshot = snapshot
    self.slot = slot
    self.reason = reason
    self.wireProtocol = wireProtocol
    self.endpoint = endpoint
    self.stickyKey = stickyKey
    self.input = input
    self.output = output
    self.latency = latency
    self.servedAt = servedAt
  }
}
