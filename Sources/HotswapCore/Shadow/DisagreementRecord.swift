import FoundationEssentials
import OnnxInference

/// One disagreement kept in the sample: when, which slots and versions, the input row and both
/// predictions. One JSON line in `shadow-disagreements.jsonl`; `hotswap shadow diffs` prints them.
public struct DisagreementRecord: Sendable, Equatable, Codable {
  /// One prediction as recorded.
  public struct Answer: Sendable, Equatable, Codable {
    /// The slot that gave it.
    public var slot: String
    /// Its version.
    public var version: String
    /// The label or value, as JSON.
    public var prediction: RecordedValue
    /// The class name, for classifiers with named classes.
    public var className: String?
    /// The class probabilities, when the model gives them.
    public var probabilities: [Double]?

    enum CodingKeys: String, CodingKey {
      case slot, version, prediction, probabilities
      case className = "class_name"
    }
  }

  /// When the live answer was served, ISO 8601.
  public var time: String
  /// `rest` or `grpc`.
  public var wireProtocol: String
  /// The endpoint.
  public var endpoint: String
  /// The row's index in its request (batches), 0 for single rows.
  public var row: Int
  /// The input row: the features in order, or each input tensor's slice by name.
  public var input: RecordedValue
  /// Whether the input was cut short to keep the record small.
  public var inputTruncated: Bool
  /// The live answer.
  public var live: Answer
  /// The shadow's answer.
  public var shadow: Answer
  /// The difference (probabilities for classifiers), if it has a meaning.
  public var difference: Double?

  enum CodingKeys: String, CodingKey {
    case time, endpoint, row, input, live, shadow, difference
    case wireProtocol = "protocol"
    case inputTruncated = "input_truncated"
  }
}

/// A JSON value as a record holds it.
public indirect enum RecordedValue: Sendable, Equatable, Codable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([RecordedValue])
  case object([String: RecordedValue])

  /// Decodes any JSON value.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([RecordedValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: RecordedValue].self))
    }
  }

  /// Encodes as plain JSON.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .number(let value): try container.encode(value)
    case .string(let value): try container.encode(value)
    case .array(let value): try container.encode(value)
    case .object(let value): try container.encode(value)
    }
  }

  /// Compact JSON-like text for people (`hotswap shadow diffs`).
  public var text: String {
    switch self {
    case .null: return "null"
    case .bool(let value): return value ? "true" : "false"
    case .number(let value):
      return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    case .string(let value): return "\"\(value)\""
    case .array(let values): return "[" + values.map(\.text).joined(separator: ", ") + "]"
    case .object(let values):
      return "{" + values.keys.sorted().map { "\($0): \(values[$0]!.text)" }.joined(separator: ", ") + "}"
    }
  }
}

extension RecordedValue {
  /// A prediction's label or value.
  init(_ value: Prediction.Value) {
    switch value {
    case .integer(let int): self = .number(Double(int))
    case .string(let string): self = .string(string)
    case .number(let number): self = .number(number)
    case .numbers(let numbers): self = .array(numbers.map { .number($0) })
    }
  }

  /// A feature row, at most `limit` values (the flag says whether it was cut).
  static func row(_ row: [FeatureValue], limit: Int) -> (RecordedValue, Bool) {
    let values = row.prefix(limit).map { feature -> RecordedValue in
      switch feature {
      case .number(let number): return .number(number)
      case .string(let string): return .string(String(string.prefix(256)))
      case .missing: return .null
      }
    }
    return (.array(values), row.count > limit)
  }

  /// Row `row` of each input tensor (its slice along the first axis), by input name, at most
  /// `limit` values per input.
  static func row(_ row: Int, of tensors: [Tensor], names: [String], limit: Int) -> (RecordedValue, Bool) {
    var object: [String: RecordedValue] = [:]
    var truncated = false
    for (name, tensor) in zip(names, tensors) {
      let rows = max(1, tensor.shape.first ?? 1)
      let width = tensor.elementCount / rows
      let start = min(row * width, tensor.elementCount)
      let end = min(start + min(width, limit), tensor.elementCount)
      if width > limit { truncated = true }
      let slice: [RecordedValue]
      switch tensor.storage {
      case .float(let values): slice = values[start..<end].map { .number(Double($0)) }
      case .double(let values): slice = values[start..<end].map { .number($0) }
      case .int64(let values): slice = values[start..<end].map { .number(Double($0)) }
      case .int32(let values): slice = values[start..<end].map { .number(Double($0)) }
      case .bool(let values): slice = values[start..<end].map { .bool($0) }
      case .string(let values): slice = values[start..<end].map { .string(String($0.prefix(256))) }
      }
      object[name] = .array(slice)
    }
    return (.object(object), truncated)
  }
}

extension DisagreementRecord {
  /// The record of one disagreeing row of a job.
  init(job: ShadowJob, row: ShadowExecution.RowComparison) {
    let input: (RecordedValue, Bool)
    switch job.input {
    case .rows(let rows):
      input =
        row.row < rows.count
        ? RecordedValue.row(rows[row.row], limit: DisagreementSample.inputLimit) : (.null, false)
    case .tensors(let tensors):
      input = RecordedValue.row(
        row.row,
        of: tensors,
        names: job.live.session.inputs.map(\.name),
        limit: DisagreementSample.inputLimit
      )
    }
    self.init(
      time: ISO8601Time.string(from: job.servedAt, fractionalSeconds: true),
      wireProtocol: job.wireProtocol.rawValue,
      endpoint: job.endpoint,
      row: row.row,
      input: input.0,
      inputTruncated: input.1,
      live: Answer(job.liveSlot, job.live, row.live),
      shadow: Answer(job.shadowSlot, job.shadowModel, row.shadow),
      difference: row.comparison.difference
    )
  }
}

extension DisagreementRecord.Answer {
  init(_ slot: String, _ model: LoadedModel, _ prediction: Prediction) {
    self.init(
      slot: slot,
      version: model.version,
      prediction: RecordedValue(prediction.value),
      className: prediction.className,
      probabilities: prediction.probabilities
    )
  }
}
