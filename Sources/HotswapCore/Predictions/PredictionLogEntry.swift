import FoundationEssentials
import OnnxInference

/// What the prediction log keeps of one served prediction until its writer formats it: built on
/// the request path from a ``ServedPrediction`` and bounded whatever the request's size — at most
/// ``maxRows`` predictions and input rows, a tensor's elements only up to ``maxTensorElements``.
public struct PredictionLogEntry: Sendable {
  /// The most predictions (and input rows) one line carries; the line says how many there were.
  public static let maxRows = 32
  /// The most elements of one tensor a line carries; a larger tensor is written as its shape.
  public static let maxTensorElements = 256
  /// The longest error message, sticky key or string feature a line carries, in bytes.
  public static let maxTextBytes = 512
  /// The most input a line carries, roughly in bytes: rows are kept while they fit, and a tensor
  /// whose strings would not fit is written as its shape. With the other limits this bounds a
  /// line to about 48 KiB whatever the request.
  public static let maxInputBytes = 16 << 10

  /// A tensor as the log keeps it: its elements only when small enough.
  public struct LoggedTensor: Sendable {
    /// The element type.
    public let dataType: TensorDataType
    /// The shape.
    public let shape: [Int]
    /// The elements, or nil when the tensor had more than ``maxTensorElements``.
    public let storage: Tensor.Storage?

    init(_ tensor: Tensor) {
      dataType = tensor.dataType
      shape = tensor.shape
      guard tensor.elementCount <= PredictionLogEntry.maxTensorElements else {
        storage = nil
        return
      }
      if case .string(let strings) = tensor.storage,
        strings.reduce(0, { $0 + $1.utf8.count }) > PredictionLogEntry.maxInputBytes
      {
        storage = nil
      } else {
        storage = tensor.storage
      }
    }

    var estimatedBytes: Int {
      switch storage {
      case nil: 64
      case .string(let strings): strings.reduce(64) { $0 + 16 + $1.utf8.count }
      case .some(let storage): 64 + storage.count * 8
      }
    }
  }

  /// What the slot answered, trimmed.
  public enum Outcome: Sendable {
    /// The first ``maxRows`` predictions.
    case predictions([Prediction])
    /// Every output tensor (small ones with their elements).
    case tensors([LoggedTensor])
    /// The error the client got, and whether it was the server's fault.
    case failed(message: String, serverSide: Bool)
  }

  /// The request's input, trimmed.
  public enum Input: Sendable {
    /// The first ``maxRows`` feature rows.
    case rows([[FeatureValue]])
    /// Every input tensor (small ones with their elements).
    case tensors([LoggedTensor])

    /// Whether nothing is known of the input (a call that failed before its tensors decoded).
    public var isEmpty: Bool {
      switch self {
      case .rows(let rows): rows.isEmpty
      case .tensors(let tensors): tensors.isEmpty
      }
    }
  }

  /// The slot that answered (its model names the tensors and reads predictions from them).
  public let slot: ServingSlot
  /// Why the request went there.
  public let reason: RouteReason
  /// REST or gRPC.
  public let wireProtocol: RequestObservation.WireProtocol
  /// The endpoint.
  public let endpoint: String
  /// The sticky key, cut to ``maxTextBytes``.
  public let stickyKey: String?
  /// The request's rows (predictions, or the first input's first dimension).
  public let rows: Int
  /// What was answered.
  public let outcome: Outcome
  /// The input, when the log keeps inputs.
  public let input: Input?
  /// Time from routing to the answer.
  public let latency: Duration
  /// When the answer was ready.
  public let servedAt: Date
  /// Roughly what the entry holds in memory, for the log's memory budget.
  public let estimatedBytes: Int

  /// Trims `served` to what a line carries, keeping the input only when `inputs` is set.
  public init(_ served: ServedPrediction, inputs: Bool) {
    var rows = 0
    var bytes = 256
    switch served.output {
    case .predictions(let predictions):
      rows = predictions.count
      let kept = Array(predictions.prefix(Self.maxRows))
      bytes += kept.count * 96
      outcome = .predictions(kept)
    case .tensors(let tensors):
      rows = tensors.first?.shape.first ?? 0
      // All of the model's outputs: read them as /predict would (label, class name, confidence).
      if rows > 0, let predictions = try? served.slot.model.predictions(fromOutputs: tensors, rowCount: rows)
      {
        let kept = Array(predictions.prefix(Self.maxRows))
        bytes += kept.count * 96
        outcome = .predictions(kept)
      } else {
        let kept = tensors.map(LoggedTensor.init)
        bytes += kept.reduce(0) { $0 + $1.estimatedBytes }
        outcome = .tensors(kept)
      }
    case .failed(let message, let serverSide):
      outcome = .failed(message: Self.cut(message), serverSide: serverSide)
      bytes += Self.maxTextBytes
    }
    switch served.input {
    case .rows(let all):
      if rows == 0 { rows = all.count }
      if inputs {
        let kept = Self.keptRows(all)
        bytes += kept.bytes
        input = .rows(kept.rows)
      } else {
        input = nil
      }
    case .tensors(let tensors):
      if rows == 0 { rows = tensors.first?.shape.first ?? 0 }
      if inputs {
        let kept = tensors.map(LoggedTensor.init)
        bytes += kept.reduce(0) { $0 + $1.estimatedBytes }
        input = .tensors(kept)
      } else {
        input = nil
      }
    }
    slot = served.slot
    reason = served.reason
    wireProtocol = served.wireProtocol
    endpoint = served.endpoint
    stickyKey = served.stickyKey.map(Self.cut)
    latency = served.latency
    servedAt = served.servedAt
    estimatedBytes = bytes
    self.rows = rows
  }

  /// The first rows (at most ``maxRows``) that fit in ``maxInputBytes``, strings cut to
  /// ``maxTextBytes``, and their size. A row too long to fit is cut after the features that do.
  static func keptRows(_ rows: [[FeatureValue]]) -> (rows: [[FeatureValue]], bytes: Int) {
    var kept: [[FeatureValue]] = []
    var bytes = 0
    for row in rows.prefix(maxRows) {
      var keptRow: [FeatureValue] = []
      keptRow.reserveCapacity(min(row.count, 256))
      for feature in row {
        let value: FeatureValue
        let size: Int
        if case .string(let text) = feature {
          let cutText = cut(text)
          value = .string(cutText)
          size = 8 + cutText.utf8.count
        } else {
          value = feature
          size = 24
        }
        guard bytes + size <= maxInputBytes else { break }
        keptRow.append(value)
        bytes += size
      }
      guard !keptRow.isEmpty else { break }
      kept.append(keptRow)
      if keptRow.count < row.count { break }
    }
    return (kept, bytes + 32 * kept.count)
  }

  /// `text` cut to ``maxTextBytes`` on a character boundary.
  static func cut(_ text: String) -> String {
    guard text.utf8.count > maxTextBytes else { return text }
    var result = ""
    for character in text {
      guard result.utf8.count + character.utf8.count <= maxTextBytes - 3 else { break }
      result.append(character)
    }
    return result + "..."
  }
}
