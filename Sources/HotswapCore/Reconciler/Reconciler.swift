import FoundationEssentials
import HotswapConfig
import HotswapRouting
import Logging

/// Turns the config file into the served snapshot: read, parse, validate, load the models that
/// changed, then publish one new snapshot. All-or-nothing: any error rejects the whole new plan
/// and the last good one keeps serving. Requests never touch it.
///
/// What to do is decided by ``ReconcilePlanner`` (a value, no I/O); this actor carries it out.
/// Reading the file and loading models run on a thread of their own (``BlockingWork``), never on
/// the actor's executor, so a model that takes seconds to load holds no thread of the shared
/// pool. Changes are coalesced where that saves work: triggers that arrive while a pass runs are
/// merged into one next pass, and a pass whose loads were overtaken by a newer change is
/// abandoned before it publishes — the latest plan wins, reusing what the abandoned pass loaded.
/// A change that needs no load (a new split) is applied at once.
public actor Reconciler {
  /// What set off a reload.
  public enum Trigger: Sendable, Equatable {
    case startup
    case configChanged
    case signal
    case modelChanged(path: String)
    /// The guard took a canary's traffic away.
    case guardTrip(slot: String)
    /// The stepped rollout changed the split.
    case rolloutStep(slot: String)
  }

  /// What a reload did.
  public enum Outcome: Sendable {
    /// A new snapshot is live.
    case applied(generation: UInt64, diff: PlanDiff)
    /// The file's content and models are what is already served.
    case unchanged
    /// The new plan was rejected; the previous snapshot (if any) keeps serving.
    case rejected(errors: [String])
  }

  let configPath: String
  let store: SnapshotStore
  let state: DeploymentState
  let loader: ModelLoader
  let audit: AuditTrail?
  let delivery: DeliveryController?
  let logger: Logger

  /// The served state and the decisions.
  var planner: ReconcilePlanner
  var trafficOverride = TrafficOverride.none
  var generation: UInt64 = 0
  private let inbox = ReloadInbox()
  private let work = BlockingWork(label: "hotswap.reconciler")
  /// Whether a pass loop runs; callers arriving meanwhile wait for its outcome.
  private var running = false
  private var waiting: [CheckedContinuation<Outcome, Never>] = []
  /// Called on the blocking thread before each model file is read (tests hold a load there).
  private let beforeModelRead: (@Sendable (String) -> Void)?
  /// Whether the last pass read a large config (its plan and snapshot are freed by a later pass).
  private var lastReadWasLarge = false
  /// A read made before the first pass (`ServeCommand` reads the file once, for the state
  /// directory too); the next pass uses it instead of reading again.
  private var preread: ConfigRead?

  /// Creates a reconciler for `configPath`, publishing into `store`.
  public init(
    configPath: String,
    store: SnapshotStore,
    state: DeploymentState,
    loader: ModelLoader = ModelLoader(),
    onlySlot: String? = nil,
    audit: AuditTrail? = nil,
    delivery: DeliveryController? = nil,
    logger: Logger
  ) {
    self.configPath = configPath
    self.store = store
    self.state = state
    self.loader = loader
    self.planner = ReconcilePlanner(onlySlot: onlySlot)
    self.audit = audit
    self.delivery = delivery
    self.logger = logger
    self.beforeModelRead = nil
  }

  /// A reconciler whose model reads first call `beforeModelRead(path)` on the blocking thread.
  init(
    configPath: String,
    store: SnapshotStore,
    state: DeploymentState,
    audit: AuditTrail? = nil,
    logger: Logger,
    beforeModelRead: @escaping @Sendable (String) -> Void
  ) {
    self.configPath = configPath
    self.store = store
    self.state = state
    self.loader = ModelLoader()
    self.planner = ReconcilePlanner(onlySlot: nil)
    self.audit = audit
    self.delivery = nil
    self.logger = logger
    self.beforeModelRead = beforeModelRead
  }

  /// The plan currently served.
  public var currentPlan: Plan? { planner.appliedPlan }

  /// The `[server]` settings in force: those of the first applied plan.
  public var serverSettings: ServerSettings? { planner.startupServer }

  /// Model files to watch: those served, plus those of a rejected plan waiting for its models.
  public var watchedModelPaths: Set<String> { planner.watchedModelPaths }

  /// Records a change to apply and returns at once, from any thread; ``applyPending(now:)``
  /// applies it, merged with every other change recorded before it runs.
  public nonisolated func submit(_ trigger: Trigger) {
    inbox.add(trigger)
  }

  /// Applies every submitted change, coalesced, and returns the outcome of the last pass. When a
  /// pass is already running, waits for it (it picks the new changes up) and returns its outcome.
  @discardableResult
  public func applyPending(now: DeliveryInstant = .now) async -> Outcome {
    guard !running else {
      return await withCheckedContinuation { waiting.append($0) }
    }
    running = true
    var outcome = Outcome.unchanged
    while let pending = inbox.take() {
      if let result = await pass(pending, now: now) { outcome = result }
    }
    running = false
    let waiters = waiting
    waiting = []
    for waiter in waiters { waiter.resume(returning: outcome) }
    return outcome
  }

  /// Re-reads the config file (or uses `read`, made by the caller after the watcher started) and
  /// applies it if it changed; `now` is when (tests inject it: a rollout starts then).
  @discardableResult
  public func reload(
    _ trigger: Trigger,
    now: DeliveryInstant = .now,
    using read: ConfigRead? = nil
  ) async
    -> Outcome
  {
    if let read { preread = read }
    inbox.add(trigger)
    return await applyPending(now: now)
  }

  // MARK: One pass

  /// Reads, decides, obtains models and settles; nil when a newer change overtook the pass.
  private func pass(_ pending: ReloadInbox.Pending, now: DeliveryInstant) async -> Outcome? {
    for path in pending.modelPaths { planner.modelChanged(path) }
    let trigger = pending.trigger
    let read: ConfigRead
    if let preread {
      read = preread
      self.preread = nil
    } else if let size = try? FileAttributes.of(path: configPath).size, size < ConfigRead.largeFileBytes {
      // A usual config (a few KiB) reads and parses in well under a millisecond: on the actor,
      // sparing the two thread hops that a save would otherwise wait for on a busy machine.
      read = ConfigRead.read(configPath)
    } else {
      let path = configPath
      read = await work.run { ConfigRead.read(path) }
    }
    let pass = ReconcilePlanner.Pass(read: read, configPath: configPath, isStartup: trigger == .startup)
    defer { releaseMemoryAfterLargeConfigs(read) }
    switch planner.decide(pass) {
    case .unchanged:
      planner.unchanged(pass)
      return .unchanged
    case .reject(let errors):
      planner.rejected(pass, plan: nil)
      return reject(errors, sha: read.sha256, trigger, diff: nil)
    case .obtain(let plan, let requests):
      let (obtained, worked) = await obtain(requests, for: plan)
      if worked, inbox.hasPending {
        planner.superseded(obtained: obtained)
        logger.info(
          "a newer change arrived while models loaded; applying the latest instead",
          metadata: ["plan.generation": "\(generation)", "plan.trigger": "\(trigger.label)"]
        )
        return nil
      }
      return settle(pass, plan: plan, obtained: obtained, trigger: trigger, now: now)
    }
  }

  /// The models of `requests`: reused ones at once, the rest read and loaded on the blocking
  /// thread. `worked` says whether anything had to be read (time passed: a newer change may wait).
  private func obtain(
    _ requests: [ReconcilePlanner.ModelRequest],
    for plan: Plan
  ) async
    -> (models: [String: Result<LoadedModel, ModelLoadError>], worked: Bool)
  {
    var obtained: [String: Result<LoadedModel, ModelLoadError>] = [:]
    var pending: [ReconcilePlanner.ModelRequest] = []
    for request in requests {
      if case .reuse(let model) = request.source {
        obtained[request.path] = .success(model)
      } else {
        pending.append(request)
      }
    }
    guard !pending.isEmpty else { return (obtained, false) }
    let loader = self.loader
    let requested = pending
    let hook = beforeModelRead
    let results = await work.run {
      requested.map { request in
        hook?(request.path)
        return (request, Self.obtain(request, with: loader))
      }
    }
    for (request, result) in results {
      obtained[request.path] = result
      if case .success(let model) = result, case .load = request.source {
        logLoaded(model, slots: plan.slots.filter { $0.modelPath == request.path }.map(\.name))
      } else if case .success(let model) = result, case .verify(let existing) = request.source,
        model !== existing
      {
        logLoaded(model, slots: plan.slots.filter { $0.modelPath == request.path }.map(\.name))
      }
    }
    return (obtained, true)
  }

  /// Carries out one request; blocking (file reads, model loads).
  private static func obtain(
    _ request: ReconcilePlanner.ModelRequest,
    with loader: ModelLoader
  ) -> Result<LoadedModel, ModelLoadError> {
    do throws(ModelLoadError) {
      switch request.source {
      case .reuse(let model): return .success(model)
      case .verify(let existing): return .success(try loader.load(path: request.path, reusing: existing))
      case .load: return .success(try loader.load(path: request.path))
      }
    } catch {
      return .failure(error)
    }
  }

  private func settle(
    _ pass: ReconcilePlanner.Pass,
    plan: Plan,
    obtained: [String: Result<LoadedModel, ModelLoadError>],
    trigger: Trigger,
    now: DeliveryInstant
  ) -> Outcome {
    switch planner.settle(pass, plan: plan, obtained: obtained, served: store.snapshot) {
    case .unchanged:
      planner.unchanged(pass)
      return .unchanged
    case .reject(let errors, let diff):
      planner.rejected(pass, plan: plan)
      return reject(errors, sha: pass.read.sha256, trigger, diff: diff)
    case .publish(let publication):
      return publish(publication, pass: pass, trigger: trigger, now: now)
    }
  }

  private func publish(
    _ publication: ReconcilePlanner.Publication,
    pass: ReconcilePlanner.Pass,
    trigger: Trigger,
    now: DeliveryInstant
  ) -> Outcome {
    let plan = publication.plan
    let sha = pass.read.sha256 ?? ""
    // One-slot processes (the nginx variant) serve that slot at 100 %: no guard, no rollout.
    let onlySlot = planner.onlySlot
    let override = onlySlot == nil ? (delivery?.override(for: plan, sha: sha, now: now) ?? .none) : .none
    let weights: [String: Double] = onlySlot.map { [$0: 1] } ?? override.weights(for: plan)
    let slots = Self.servingSlots(publication.slots, weights: weights)
    let snapshot: Snapshot
    do {
      snapshot = try Snapshot(generation: generation + 1, plan: plan, slots: slots)
    } catch {
      planner.rejected(pass, plan: nil)
      return reject(["\(configPath): \(error)"], sha: pass.read.sha256, trigger)
    }
    if let note = publication.restartNote {
      logger.warning(
        "config [server] section changed; restart to apply it",
        metadata: ["config.path": "\(configPath)", "config.note": "\(note)"]
      )
    }
    let sharesBefore = store.snapshot.map { Self.shares($0.slots) } ?? "none"
    store.publish(snapshot)
    generation += 1
    planner.published(publication, pass: pass)
    trafficOverride = override
    let change = DeploymentState.Change(
      time: Date(),
      generation: generation,
      summary: publication.diff.description,
      configSHA256: sha
    )
    state.recordApplied(change, restartRequired: publication.restartNote)
    audit?.record(
      .init(
        change: change,
        result: .applied,
        reason: nil,
        trigger: trigger,
        configPath: configPath,
        config: pass.read.text
      )
    )
    logger.info(
      "plan applied",
      metadata: [
        "plan.generation": "\(generation)", "plan.diff": "\(publication.diff.description)",
        "plan.trigger": "\(trigger.label)",
        "plan.shares": "\(sharesBefore) → \(Self.shares(slots))",
        "config.sha256": "\(sha)",
      ]
    )
    return .applied(generation: generation, diff: publication.diff)
  }

  /// After a pass that read a large config, or replaced one, hands the freed heap pages back:
  /// glibc keeps them otherwise, and a process that once parsed (and rendered, and recorded) a
  /// 1 MiB config would stay tens of MiB larger. Runs on the blocking thread, after the pass.
  private func releaseMemoryAfterLargeConfigs(_ read: ConfigRead) {
    if read.isLarge || lastReadWasLarge {
      work.start { HeapTrim.releaseFreeMemory() }
    }
    lastReadWasLarge = read.isLarge
  }
}
