import FoundationEssentials
import HotswapConfig

/// The shadow as `/status`, the metrics and the status page show it.
public struct ShadowStatus: Sendable {
  /// `[shadow]` as configured.
  public var settings: ShadowSettings
  /// The slot and model being shadowed; nil when the slot is not loaded in this process.
  public var target: ShadowTarget?
  /// The shadow slot's version.
  public var version: String?
  /// When the shadow began (restored across restarts).
  public var beganAt: Date?
  /// Whether the totals came back from the state file at start.
  public var restored: Bool
  /// What shadowing does under the plan's weights, when it is not plain.
  public var note: String?
  /// Share of unpinned traffic answered by other slots: the part eligible for mirroring.
  public var eligibleShare: Double
  /// Copies waiting now.
  public var queueDepth: Int
  /// The most copies that may wait.
  public var queueCapacity: Int
  /// Bytes the waiting copies hold.
  public var queuedBytes: Int
  /// Length of the window in seconds.
  public var windowSeconds: Double
  /// The window (the guard's, or 60 s), since the config file last changed.
  public var window: ShadowSummary
  /// Totals since the shadow began.
  public var total: ShadowSummary
  /// The last shadow error.
  public var lastError: String?
  /// When it happened.
  public var lastErrorAt: Date?
  /// Disagreements held in the sample.
  public var recorded: Int

  /// Creates a status.
  public init(
    settings: ShadowSettings,
    target: ShadowTarget?,
    version: String?,
    beganAt: Date?,
    restored: Bool,
    note: String?,
    eligibleShare: Double,
    queueDepth: Int,
    queueCapacity: Int,
    queuedBytes: Int,
    windowSeconds: Double,
    window: ShadowSummary,
    total: ShadowSummary,
    lastError: String?,
    lastErrorAt: Date?,
    recorded: Int
  ) {
    self.settings = settings
    self.target = target
    self.version = version
    self.beganAt = beganAt
    self.restored = restored
    self.note = note
    self.eligibleShare = eligibleShare
    self.queueDepth = queueDepth
    self.queueCapacity = queueCapacity
    self.queuedBytes = queuedBytes
    self.windowSeconds = windowSeconds
    self.window = window
    self.total = total
    self.lastError = lastError
    self.lastErrorAt = lastErrorAt
    self.recorded = recorded
  }
}
