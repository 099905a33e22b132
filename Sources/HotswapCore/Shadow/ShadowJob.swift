import FoundationEssentials
import HotswapConfig
import OnnxInference

/// One served prediction request copied for the shadow: what the live slot was asked and answered,
/// and the shadow model to ask the same. Built on the request path only for a request the shadow
/// takes and has room for; it holds references to arrays the request already had, so building it
/// copies no rows or tensors. A value: the queue moves it into a cell it allocated once, so a copy
/// costs the request path no allocation.
public struct ShadowJob: Sendable {
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

  /// The shadow slot's name.
  public let shadowSlot: String
  /// The shadow slot's model (it runs the copy).
  public let shadowModel: LoadedModel
  /// Regressors agree within this absolute difference (`[shadow] tolerance`).
  public let tolerance: Double
  /// Whether disagreements are recorded (`[shadow] record` above 0).
  public let records: Bool
  /// The live slot's model.
  public let live: LoadedModel
  /// The live slot's name.
  public let liveSlot: String
  /// The protocol.
  public let wireProtocol: RequestObservation.WireProtocol
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
    shadowSlot: String,
    shadowModel: LoadedModel,
    settings: ShadowSettings,
    live: LoadedModel,
    liveSlot: String,
    wireProtocol: RequestObservation.WireProtocol,
    endpoint: String,
    input: Input,
    liveOutput: LiveOutput,
    liveLatency: Duration,
    servedAt: Date
  ) {
    self.shadowSlot = shadowSlot
    self.shadowModel = shadowModel
    self.tolerance = settings.tolerance
    self.records = settings.record > 0
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

  /// Creates a job for the slot `shadow`.
  public init(
    shadow: ServingSlot,
    settings: ShadowSettings,
    live: LoadedModel,
    liveSlot: String,
    wireProtocol: RequestObservation.WireProtocol,
    endpoint: String,
    input: Input,
    liveOutput: LiveOutput,
    liveLatency: Duration,
    servedAt: Date
  ) {
    self.init(
      shadowSlot: shadow.name,
      shadowModel: shadow.model,
      settings: settings,
      live: live,
      liveSlot: liveSlot,
      wireProtocol: wireProtocol,
      endpoint: endpoint,
      input: input,
      liveOutput: liveOutput,
      liveLatency: liveLatency,
      servedAt: servedAt
    )
  }

  /// The target the job was made for.
  public var target: ShadowTarget {
    ShadowTarget(slot: shadowSlot, version: shadowModel.version, modelSHA256: shadowModel.sha256)
  }

  /// Whether the job was made for `target`: compares the model by identity first, so the worker
  /// pays for string comparisons only when the model differs from the one it last accepted.
  func isFor(_ target: ShadowTarget?, accepted: inout ObjectIdentifier?) -> Bool {
    guard let target, shadowSlot == target.slot else { return false }
    let model = ObjectIdentifier(shadowModel)
    if model == accepted { return true }
    guard shadowModel.version == target.version, shadowModel.sha256 == target.modelSHA256 else {
      return false
    }
    accepted = model
    return true
  }

  private static func estimate(_ input: Input, _ liveOutput: LiveOutput) -> Int {
    var bytes = 256
    switch input {
    case .rows(let rows):
      bytes += rows.count * 32
      for row in rows { bytes += row.count * 24 }
    case .tensors(let tensors):
      for tensor in tensors { bytes += Self.bytes(of: tensor) }
    }
    switch liveOutput {
    case .predictions(let predictions):
      bytes += predictions.count * 96
      for prediction in predictions { bytes += (prediction.probabilities?.count ?? 0) * 8 }
    case .tensors(let tensors):
      for tensor in tensors { bytes += Self.bytes(of: tensor) }
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
