/// `[prediction_log]`: which served predictions are written to `predictions.jsonl` in the state
/// directory, whether their inputs are, and how large the file may grow before it is rotated.
public struct PredictionLogSettings: Sendable, Equatable {
  /// The fraction of served predictions written, 0…1 (`sample`).
  public let sample: Double
  /// Whether each line carries the request's input (`inputs`; off by default: inputs may be
  /// personal data).
  public let inputs: Bool
  /// The size at which `predictions.jsonl` is rotated to `predictions.jsonl.1` (`max_bytes`); the
  /// log never takes more than twice this on disk.
  public let maxBytes: Int

  /// The sample when the file has no `[prediction_log]`: one prediction in a hundred. A seed-style
  /// line for every prediction costs throughput and wears the flash storage of small boxes; one in
  /// a hundred shows what each slot answers within seconds of traffic at a cost within noise
  /// (bench/server/bench_prediction_log.py).
  public static let defaultSample = 0.01
  /// The rotation size when `max_bytes` is absent: 16 MiB.
  public static let defaultMaxBytes = 16 << 20
  /// The smallest `max_bytes` accepted: 64 KiB.
  public static let minimumMaxBytes = 64 << 10
  /// The largest `max_bytes` accepted: 1 GiB.
  public static let maximumMaxBytes = 1 << 30

  /// The settings of a file without `[prediction_log]`.
  public static let defaults = PredictionLogSettings(
    sample: defaultSample,
    inputs: false,
    maxBytes: defaultMaxBytes
  )

  /// Creates settings.
  public init(sample: Double, inputs: Bool, maxBytes: Int) {
    self.sample = sample
    self.inputs = inputs
    self.maxBytes = maxBytes
  }
}
