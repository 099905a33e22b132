/// The optional `[shadow]` table: a loaded slot that receives a copy of the unpinned prediction
/// requests other slots answer, after the live answer is sent. Its predictions are compared with
/// the live ones and never returned.
public struct ShadowSettings: Sendable, Equatable {
  /// The most disagreements `record` may keep (each entry holds one input row and both outputs).
  public static let maxRecord = 1000
  /// The largest `queue` (copies waiting to run on the shadow).
  public static let maxQueue = 16384

  /// The slot that shadows (`slot`); declared in `[slots]`.
  public let slot: String
  /// Percent of eligible requests mirrored (`sample`, default 100), in (0, 100].
  public let samplePercent: Double
  /// How many of the latest disagreeing predictions are kept in the state directory (`record`,
  /// default 0: none — inputs may be sensitive, so nothing is stored unless asked for).
  public let record: Int
  /// Regressors agree when their predictions differ by at most this much (`tolerance`, default 0:
  /// only equal values agree). Classifiers agree when their labels are equal.
  public let tolerance: Double
  /// Copies that may wait for the shadow at once (`queue`, default 1024); more are dropped and
  /// counted.
  public let queue: Int
  /// Bytes of inputs and outputs the waiting copies may hold together (`max_queue_bytes`,
  /// default 16 MiB); a copy that does not fit is dropped and counted.
  public let maxQueueBytes: Int

  /// Creates shadow settings.
  public init(
    slot: String,
    samplePercent: Double = 100,
    record: Int = 0,
    tolerance: Double = 0,
    queue: Int = 1024,
    maxQueueBytes: Int = 16 << 20
  ) {
    self.slot = slot
    self.samplePercent = samplePercent
    self.record = record
    self.tolerance = tolerance
    self.queue = queue
    self.maxQueueBytes = maxQueueBytes
  }
}

extension Plan {
  /// What shadowing does under this plan's weights when it is not plain: the shadow slot takes
  /// traffic itself, so only the requests other slots answer are mirrored to it. `nil` without
  /// `[shadow]` or when the shadow slot takes no traffic.
  public var shadowNote: String? {
    guard let shadow, (weights[shadow.slot] ?? 0) > 0 else { return nil }
    return
      "[shadow] slot '\(shadow.slot)' takes \(NumberText.percent(share(of: shadow.slot))) of unpinned traffic itself: "
      + "only the requests other slots answer are mirrored to it"
  }
}
