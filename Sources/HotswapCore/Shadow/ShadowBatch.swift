/// What the shadow worker did with the copies it took off the queue in one go: every compared
/// copy's rows and run times, and the failures. The statistics and the metrics are written once
/// per batch (one lock each), not once per copy.
public struct ShadowBatch: Sendable {
  /// One compared copy: its rows' comparisons (a range of ``comparisons``) and both run times.
  public struct Run: Sendable, Equatable {
    /// Where its rows' comparisons lie in ``ShadowBatch/comparisons``.
    public var rows: Range<Int>
    /// How long the shadow model took.
    public var shadow: Duration
    /// How long the live answer took.
    public var live: Duration
  }

  /// The most copies the worker takes off the queue before it writes the numbers.
  public static let limit = 64

  /// The shadow slot every copy of the batch was made for.
  public let slot: String
  /// The compared copies, in queue order.
  public private(set) var runs: [Run] = []
  /// Every compared row, copy after copy.
  public private(set) var comparisons: [PredictionComparison] = []
  /// Copies the shadow failed on.
  public private(set) var errors = 0
  /// The last failure's message.
  public private(set) var lastError: String?

  /// An empty batch for `slot`.
  public init(slot: String) {
    self.slot = slot
    runs.reserveCapacity(Self.limit)
    comparisons.reserveCapacity(Self.limit)
  }

  /// Whether nothing was run.
  public var isEmpty: Bool { runs.isEmpty && errors == 0 }

  /// Adds a compared copy.
  public mutating func compared(
    _ rows: some Sequence<PredictionComparison>,
    shadow: Duration,
    live: Duration
  ) {
    let start = comparisons.count
    comparisons.append(contentsOf: rows)
    runs.append(Run(rows: start..<comparisons.count, shadow: shadow, live: live))
  }

  /// Adds a copy the shadow failed on.
  public mutating func failed(_ message: String) {
    errors += 1
    lastError = message
  }

  /// The comparisons of one run.
  public func comparisons(of run: Run) -> ArraySlice<PredictionComparison> {
    comparisons[run.rows]
  }
}
