import FoundationEssentials
import HotswapConfig
import OnnxInference

/// One served prediction request copied for the shadow: what the live slot was asked and answered,
/// and the shadow slot to ask the same. Built on the request path only for a request the shadow
/// takes; it holds references to arrays the request already had, so building it copies nothing.
/// A class, so the queue moves one reference.
public final class ShadowJob: Sendable {
  /// The input as the live model received it: feature rows (REST `/predict`, gRPC `Predict`) in
  /// the live model's feature order, or input tensors in its input order (`infer`, `ModelInfer`).
  public typealias Input = ServedPrediction.Input

  /// What the live slot answered.
  public enum LiveOutput: Sendable {
    /// One prediction per row.
    case predictions([Prediction])
    /// Every output tensor of the live model, in its output order.
    case tensors([Tensor])
  }

  /// The shadow slot (its model runs the copy).
  public let shadow: ServingSlot
  /// The shadow's settings when the request was served.
  public let settings: ShadowSettings
  /// The live slot's model.
  public let live: LoadedModel
  /// The live slot's name.
  public let liveSlot: String
  /// The protocol (`rest`, `grpc`).
  public let wireProtocol: String
  /// The endpoint (`predict`, `infer`, `Predict`, `ModelInfer`).
  public let endpoint: String
  /// The input.
  public let input: Input
  /// The live answer.
  public let liveOutput: LiveOutput
  /// How long the live answer took.
  public let liveLatency: Duration
  /// When the live answer was served.
  public let servedAt: Date
  /// What the job holds in memory, roughly: what the queue's byte budget counts.
  public let estimatedBytes: Int

  /// Creates a job.
  public init(
    shadow: ServingSlot,
    settings: ShadowSettings,
    live: LoadedModel,
    liveSlot: String,
    wireProtocol: String,
    endpoint: String,
    input: Input,
    liveOutput: LiveOutput,
    liveLatency: Duration,
    servedAt: Date
  ) {
    self.shadow = shadow
    self.settings = settings
    self.live = live
    self.liveSlot = liveSlot
    self.wireProtocol = wireProtocol
    self.endpoint = endpoint
    self.input = input
    self.liveOutput = liveOutput
    self.liveLatency = liveLatency
    self.servedAt = servedAt
    self.estimatedBytes = Self.estimate(input, liveOutput)
  }

  /// The target the job was made for.
  public var target: ShadowTarget { ShadowTarget(shadow) }

  private static func estimate(_ input: Input, _ liveOutput: LiveOutput) -> Int {
    var bytes = 256
    switch input {
    case .rows(let rows):
      bytes += rows.count * 32 + rows.reduce(0) { $0 + $1.count } * 24
    case .tensors(let tensors):
      bytes += tensors.reduce(0) { $0 + Self.bytes(of: $1) }
    }
    switch liveOutput {
    case .predictions(let predictions):
      bytes += predictions.count * 96 + predictions.reduce(0) { $0 + ($1.probabilities?.count ?? 0) } * 8
    case .tensors(let tensors):
      bytes += tensors.reduce(0) { $0 + Self.bytes(of: $1) }
    }
    return bytes
  }

  private static func bytes(of tensor: Tensor) -> Int {
    let perElement: Int
    switch tensor.storage {
    case .float, .int32: perElement = 4
    case .double, .int64: perElement = 8
    case .bool: perElement = 1
    case .string(let strings): return 64 + strings.reduce(0) { $0 + 16 + $1.utf8.count }
    }
    return 64 + tensor.elementCount * perElement
  }
}
