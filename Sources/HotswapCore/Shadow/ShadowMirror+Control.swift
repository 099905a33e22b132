import Dispatch
import FoundationEssentials
import HotswapConfig
import Logging

extension ShadowMirror {
  /// What ``update(_:now:)`` did.
  public enum Change: Sendable, Equatable {
    /// Nothing: the same shadow (or none) goes on.
    case unchanged
    /// A shadow began; `restored` when its totals came back from the state file.
    case began(ShadowTarget, restored: Bool)
    /// The shadow ended (`[shadow]` removed, or its slot no longer loaded).
    case ended(ShadowTarget)
  }

  /// Brings the mirror in step with the served snapshot: begins a shadow when `[shadow]` names a
  /// loaded slot (continuing the totals in the state file when they belong to the same slot and
  /// model), ends it when it is gone, starts again when the slot or its model changed. Called
  /// whenever a snapshot is published, never on the request path.
  @discardableResult
  public func update(_ snapshot: Snapshot?, now: Date = Date()) -> Change {
    let settings = snapshot?.plan.shadow
    let slot = settings.flatMap { snapshot?.slot(named: $0.slot) }
    let target = slot.map(ShadowTarget.init)
    let previous = withState { state -> (ShadowTarget?, ShadowSettings?) in
      let before = (state.target, state.settings)
      state.settings = settings
      state.note = snapshot?.plan.shadowNote
      return before
    }
    if let settings, slot == nil, previous.1?.slot != settings.slot {
      logger.warning(
        "[shadow] slot is not loaded in this process: nothing is mirrored",
        metadata: ["shadow.slot": "\(settings.slot)"]
      )
    }
    if target == previous.0 {
      if let settings { sample.resize(limit: settings.record) }
      return .unchanged
    }
    var change = Change.unchanged
    if let old = previous.0 {
      persistNow()
      logger.notice("shadow ended", metadata: Self.metadata(old, statistics.totals().summary))
      change = .ended(old)
    }
    setCurrent(target)
    guard let target, let settings else {
      withState { $0.target = nil }
      return change
    }
    startLane()
    let saved = stateFile?.load()
    let restored = saved?.target == target
    let beganAt = restored ? saved!.beganAt : now
    statistics.reset(totals: restored ? saved!.totals : ShadowSummary())
    sample.begin(limit: settings.record, restore: restored)
    withState { state in
      state.target = target
      state.beganAt = beganAt
      state.restored = restored
      state.lastSaved = nil
    }
    persistNow()
    var metadata = Self.metadata(target, statistics.totals().summary)
    metadata["shadow.sample"] = "\(settings.samplePercent)%"
    metadata["shadow.record"] = "\(settings.record)"
    if let note = snapshot?.plan.shadowNote { metadata["shadow.note"] = "\(note)" }
    logger.notice(restored ? "shadow continues (totals restored)" : "shadow began", metadata: metadata)
    return .began(target, restored: restored)
  }

  /// Writes the totals and the disagreement sample when they changed, on the mirror's file queue
  /// (never on the caller's thread); a write already waiting covers this one.
  public func persist() {
    guard claimPersist() else { return }
    files.async { [self] in
      releasePersist()
      persistNow()
    }
  }

  /// Writes the totals and the sample now, when they changed.
  public func persistNow() {
    let snapshot = withState { state -> (ShadowTarget, Date, ShadowSummary?)? in
      guard let target = state.target, let began = state.beganAt else { return nil }
      return (target, began, state.lastSaved)
    }
    guard let (target, beganAt, lastSaved) = snapshot else { return }
    let totals = statistics.totals().summary
    if totals != lastSaved {
      if stateFile?.save(.init(target: target, beganAt: beganAt, totals: totals)) == true {
        withState { if $0.target == target { $0.lastSaved = totals } }
      }
    }
    sample.flush()
  }

  /// Stops the worker at shutdown: copies still waiting are counted as dropped, and the totals
  /// and sample are written.
  public func stop() {
    if let lane = lane.load() {
      lane.worker.stop()
      while let job = lane.queue.pop() {
        depth.subtract(1, ordering: .relaxed)
        queuedBytes.subtract(job.estimatedBytes, ordering: .relaxed)
        statistics.countDrop()
      }
    }
    files.sync {}
    persistNow()
  }

  /// The shadow as `/status` shows it: the window of `window` length (counting from `since`, as
  /// the guard does) and the totals; nil without a shadow.
  public func status(
    snapshot: Snapshot?,
    window: Duration,
    since: ContinuousClock.Instant?,
    now: ContinuousClock.Instant = .now
  ) -> ShadowStatus? {
    guard let settings = snapshot?.plan.shadow else { return nil }
    let state = withState { $0 }
    let shadow = snapshot?.slot(named: settings.slot)
    let totals = statistics.totals(now: now)
    let active = state.target != nil && state.target?.slot == settings.slot
    return ShadowStatus(
      settings: settings,
      target: active ? state.target : nil,
      version: shadow?.version,
      beganAt: active ? state.beganAt : nil,
      restored: active && state.restored,
      note: snapshot?.plan.shadowNote,
      eligibleShare: 1 - (shadow?.share ?? 0),
      queueDepth: max(0, depth.load(ordering: .relaxed)),
      queueCapacity: settings.queue,
      queuedBytes: max(0, queuedBytes.load(ordering: .relaxed)),
      windowSeconds: window.inSeconds,
      window: active ? statistics.summary(window: window, now: now, since: since) : ShadowSummary(),
      total: active ? totals.summary : ShadowSummary(),
      lastError: active ? totals.lastError : nil,
      lastErrorAt: active ? totals.lastErrorAt : nil,
      recorded: active ? sample.count : 0
    )
  }

  private func startLane() {
    guard lane.load() == nil else { return }
    let queue = ShadowQueue<ShadowJob>(capacity: ShadowSettings.maxQueue)
    guard
      let worker = ShadowWorker.start(name: "hotswap-shadow", step: { [weak self] in self?.step() ?? false })
    else {
      logger.error("cannot start the shadow thread: nothing is mirrored")
      return
    }
    _ = lane.storeIfNil(ShadowLane(queue: queue, worker: worker))
  }

  static func metadata(_ target: ShadowTarget, _ totals: ShadowSummary) -> Logger.Metadata {
    var metadata: Logger.Metadata = [
      "shadow.slot": "\(target.slot)", "shadow.version": "\(target.version)",
      "shadow.model_sha256": "\(target.modelSHA256.prefix(12))",
      "shadow.compared": "\(totals.compared)", "shadow.dropped": "\(totals.dropped)",
      "shadow.errors": "\(totals.errors)",
    ]
    if let agreement = totals.agreement {
      metadata["shadow.agreement"] = "\((agreement * 10_000).rounded() / 100)%"
    }
    return metadata
  }
}
