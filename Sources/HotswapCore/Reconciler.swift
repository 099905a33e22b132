import FoundationEssentials
import HotswapConfig
import HotswapRouting
import Logging

/// Turns the config file into the served snapshot: read, parse, validate, load the models that
/// changed (off the request path), then publish one new snapshot. All-or-nothing: any error
/// rejects the whole new plan and the last good one keeps serving. Serialized by being an actor;
/// requests never touch it.
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

  private let configPath: String
  private let store: SnapshotStore
  private let state: DeploymentState
  private let loader: ModelLoader
  private let onlySlot: String?
  private let audit: AuditTrail?
  private let delivery: DeliveryController?
  private let logger: Logger

  private var appliedPlan: Plan?
  private var startupServer: ServerSettings?
  private var lastReadSHA256: String?
  private var appliedSHA256: String?
  private var trafficOverride = TrafficOverride.none
  private var generation: UInt64 = 0
  /// Loaded models by path; a model is reused until its file is reported changed.
  private var models: [String: LoadedModel] = [:]
  private var changedModelPaths: Set<String> = []
  private var pendingModelPaths: Set<String> = []

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
    self.onlySlot = onlySlot
    self.audit = audit
    self.delivery = delivery
    self.logger = logger
  }

  /// The plan currently served.
  public var currentPlan: Plan? { appliedPlan }

  /// The `[server]` settings in force: those of the first applied plan.
  public var serverSettings: ServerSettings? { startupServer }

  /// Model files to watch: those served, plus those of a rejected plan waiting for its models.
  public var watchedModelPaths: Set<String> {
    Set(models.keys).union(pendingModelPaths)
  }

  /// Re-reads the config file and applies it if it changed; `now` is when (tests inject it: a
  /// rollout starts then).
  @discardableResult
  public func reload(_ trigger: Trigger, now: DeliveryInstant = .now) -> Outcome {
    if case .modelChanged(let path) = trigger { changedModelPaths.insert(path) }
    let text: String
    do {
      text = try String(contentsOfFile: configPath, encoding: .utf8)
    } catch {
      return reject(
        ["\(configPath): cannot read the config file (\(Self.describe(error)))"],
        sha: nil,
        trigger
      )
    }
    let sha = SHA256.hexDigest(of: Array(text.utf8))
    let modelsChanged = !changedModelPaths.isDisjoint(with: watchedModelPaths)
    if sha == lastReadSHA256, !modelsChanged, trigger != .startup {
      return .unchanged
    }
    lastReadSHA256 = sha
    let plan: Plan
    switch PlanParser.parse(text, file: configPath) {
    case .failure(let errors):
      return reject(errors.errors.map(\.description), sha: sha, trigger)
    case .success(let parsed):
      plan = parsed
    }
    return apply(plan, text: text, sha: sha, trigger: trigger, now: now)
  }

  private func apply(
    _ plan: Plan,
    text: String,
    sha: String,
    trigger: Trigger,
    now: DeliveryInstant
  ) -> Outcome {
    let selected: [SlotSpec]
    if let onlySlot {
      guard let spec = plan.slot(named: onlySlot) else {
        return reject(
          ["\(configPath): --only-slot '\(onlySlot)' is not a slot of this plan"],
          sha: sha,
          trigger
        )
      }
      selected = [spec]
    } else {
      // Every slot is loaded, standby included, so a pin can test it before it gets traffic.
      selected = plan.slots
    }
    var loaded: [String: LoadedModel] = [:]
    var errors: [String] = []
    for spec in selected {
      switch model(for: spec) {
      case .success(let model): loaded[spec.name] = model
      case .failure(let error):
        errors.append(
          "\(configPath):\(Self.modelLine(of: spec, in: text)): slot '\(spec.name)': model \(error.path): \(error.reason)"
        )
      }
    }
    if !errors.isEmpty {
      pendingModelPaths = Set(selected.map(\.modelPath))
      return reject(errors, sha: sha, trigger, diff: PlanDiff(from: appliedPlan, to: plan))
    }
    if isServed(plan, sha: sha, models: loaded), trigger != .startup {
      changedModelPaths.subtract(models.keys)
      pendingModelPaths = []
      return .unchanged
    }
    // One-slot processes (the nginx variant) serve that slot at 100 %: no guard, no rollout.
    let override = onlySlot == nil ? (delivery?.override(for: plan, sha: sha, now: now) ?? .none) : .none
    let weights: [String: Double] = onlySlot.map { [$0: 1] } ?? override.weights(for: plan)
    let slots = Self.servingSlots(selected, models: loaded, weights: weights)
    let snapshot: Snapshot
    do {
      snapshot = try Snapshot(generation: generation + 1, plan: plan, slots: slots)
    } catch {
      return reject(["\(configPath): \(error)"], sha: sha, trigger)
    }
    let diff = PlanDiff(from: appliedPlan, to: plan)
    var restartNote: String? = nil
    if let startupServer, startupServer != plan.server {
      restartNote = "[server] changed in \(configPath); the running server keeps its settings until restart"
      logger.warning(
        "config [server] section changed; restart to apply it",
        metadata: ["config.path": "\(configPath)"]
      )
    } else if startupServer == nil {
      startupServer = plan.server
    }
    let sharesBefore = store.snapshot.map { Self.shares($0.slots) } ?? "none"
    store.publish(snapshot)
    generation += 1
    appliedPlan = plan
    appliedSHA256 = sha
    trafficOverride = override
    models = Dictionary(uniqueKeysWithValues: slots.map { ($0.model.path, $0.model) })
    changedModelPaths.subtract(models.keys)
    pendingModelPaths = []
    let change = DeploymentState.Change(
      time: Date(),
      generation: generation,
      summary: diff.description,
      configSHA256: sha
    )
    state.recordApplied(change, restartRequired: restartNote)
    audit?.record(
      .init(
        change: change,
        result: .applied,
        reason: nil,
        trigger: trigger,
        configPath: configPath,
        config: text
      )
    )
    logger.info(
      "plan applied",
      metadata: [
        "plan.generation": "\(generation)", "plan.diff": "\(diff.description)",
        "plan.trigger": "\(trigger.label)",
        "plan.shares": "\(sharesBefore) → \(Self.shares(slots))",
      ]
    )
    return .applied(generation: generation, diff: diff)
  }

  /// Whether this exact plan, file content and set of loaded models is already what is served
  /// (a model file touched without a change in content).
  private func isServed(_ plan: Plan, sha: String, models loaded: [String: LoadedModel]) -> Bool {
    guard plan == appliedPlan, sha == appliedSHA256, let current = store.snapshot else { return false }
    return loaded.allSatisfy { name, model in current.slot(named: name)?.model === model }
  }

  /// Re-evaluates the guard and the rollout at `now` and, when the served split changes,
  /// publishes a new snapshot over the same loaded models (nothing is loaded or read). Each trip
  /// and step is logged and written to the audit trail. Returns what happened.
  @discardableResult
  public func reevaluate(now: DeliveryInstant = .now) -> [DeliveryEvent] {
    guard let delivery, onlySlot == nil, let plan = appliedPlan, let sha = appliedSHA256,
      let current = store.snapshot
    else { return [] }
    let (override, events) = delivery.evaluate(plan: plan, sha: sha, now: now)
    guard override != trafficOverride else {
      let summary = "traffic \(Self.shares(current.slots)) (unchanged)"
      for event in events {
        record(event, summary: summary, sha: sha)
        log(event, shares: summary)
      }
      return events
    }
    let slots = Self.servingSlots(
      current.slots.map(\.spec),
      models: Dictionary(uniqueKeysWithValues: current.slots.map { ($0.name, $0.model) }),
      weights: override.weights(for: plan)
    )
    let snapshot: Snapshot
    do {
      snapshot = try Snapshot(generation: generation + 1, plan: plan, slots: slots)
    } catch {
      logger.error(
        "traffic override not applied",
        metadata: ["plan.generation": "\(generation)", "error": "\(error)"]
      )
      return events
    }
    store.publish(snapshot)
    generation += 1
    trafficOverride = override
    let summary = "traffic \(Self.shares(current.slots)) → \(Self.shares(slots))"
    for event in events {
      record(event, summary: summary, sha: sha)
      log(event, shares: summary)
    }
    return events
  }

  private func log(_ event: DeliveryEvent, shares: String) {
    var metadata: Logger.Metadata = ["plan.generation": "\(generation)", "traffic.shares": "\(shares)"]
    switch event {
    case .guardTripped(let trip):
      metadata["guard.slot"] = "\(trip.slot)"
      metadata["guard.stable"] = "\(trip.stable)"
      metadata["guard.threshold"] = "\(trip.threshold.rawValue)"
      metadata["guard.reason"] = "\(trip.reason)"
      logger.error(
        "guard tripped: the canary lost its traffic until the config file changes",
        metadata: metadata
      )
    case .rolloutStep(let slot, let index, let percent):
      metadata["rollout.slot"] = "\(slot)"
      metadata["rollout.step"] = "\(index + 1)"
      metadata["rollout.percent"] = "\(percent)"
      logger.info("rollout step", metadata: metadata)
    case .rolloutPromoted(let slot):
      metadata["rollout.slot"] = "\(slot)"
      logger.notice("rollout promoted: the slot takes all traffic", metadata: metadata)
    case .rolloutCompleted(let slot, let percent):
      metadata["rollout.slot"] = "\(slot)"
      metadata["rollout.percent"] = "\(percent)"
      logger.notice("rollout completed at its last step", metadata: metadata)
    case .rolloutRolledBack(let slot, let index):
      metadata["rollout.slot"] = "\(slot)"
      metadata["rollout.step"] = "\(index + 1)"
      logger.error("rollout rolled back by the guard", metadata: metadata)
    }
  }

  private func record(_ event: DeliveryEvent, summary: String, sha: String) {
    let (trigger, reason): (Trigger, String?)
    switch event {
    case .guardTripped(let trip): (trigger, reason) = (.guardTrip(slot: trip.slot), trip.reason)
    case .rolloutStep(let slot, _, _), .rolloutPromoted(let slot), .rolloutCompleted(let slot, _):
      (trigger, reason) = (.rolloutStep(slot: slot), nil)
    case .rolloutRolledBack(let slot, _):
      (trigger, reason) = (.rolloutStep(slot: slot), "rolled back by the guard")
    }
    let change = DeploymentState.Change(
      time: Date(),
      generation: generation,
      summary: summary,
      configSHA256: sha
    )
    audit?.record(
      .init(
        change: change,
        result: .applied,
        reason: reason,
        trigger: trigger,
        configPath: configPath,
        config: nil
      )
    )
  }

  private static func servingSlots(
    _ specs: [SlotSpec],
    models: [String: LoadedModel],
    weights: [String: Double]
  )
    -> [ServingSlot]
  {
    let total = specs.reduce(0.0) { $0 + weights[$1.name, default: 0] }
    return specs.map { spec in
      let weight = weights[spec.name, default: 0]
      return ServingSlot(
        name: spec.name,
        spec: spec,
        model: models[spec.name]!,
        weight: weight,
        share: total > 0 ? weight / total : 0
      )
    }
  }

  /// Reuses the loaded model for this slot unless its path, version or file content changed.
  private func model(for spec: SlotSpec) -> Result<LoadedModel, ModelLoadError> {
    if let existing = models[spec.modelPath], spec.version == nil || spec.version == existing.version {
      guard changedModelPaths.contains(spec.modelPath) else { return .success(existing) }
      do {
        let (_, sha) = try loader.fingerprint(path: spec.modelPath)
        if sha == existing.sha256 { return .success(existing) }
      } catch {
        return .failure(error)
      }
    }
    do {
      let model = try loader.load(path: spec.modelPath, version: spec.version)
      logger.info(
        "model loaded",
        metadata: [
          "model.slot": "\(spec.name)", "model.path": "\(spec.modelPath)",
          "model.version": "\(model.version)",
          "model.sha256": "\(model.sha256.prefix(12))",
          "model.load_ms": "\(Self.milliseconds(model.loadDuration))",
        ]
      )
      return .success(model)
    } catch {
      return .failure(error)
    }
  }

  private func reject(_ errors: [String], sha: String?, _ trigger: Trigger, diff: PlanDiff? = nil) -> Outcome
  {
    let rejection = DeploymentState.Rejection(time: Date(), errors: errors, configSHA256: sha)
    state.recordRejected(rejection)
    let change = DeploymentState.Change(
      time: rejection.time,
      generation: generation,
      summary: diff.map { "rejected: \($0.description)" } ?? "rejected: the file did not validate",
      configSHA256: sha ?? ""
    )
    audit?.record(
      .init(
        change: change,
        result: .rejected,
        reason: errors.joined(separator: "; "),
        trigger: trigger,
        configPath: configPath,
        config: nil
      )
    )
    logger.error(
      "plan rejected; the last good plan keeps serving",
      metadata: [
        "plan.generation": "\(generation)", "plan.trigger": "\(trigger.label)",
        "plan.errors": "\(errors.joined(separator: " | "))",
        "plan.diff": "\(diff?.description ?? "not compared: the file did not validate")",
      ]
    )
    return .rejected(errors: errors)
  }

  /// The line of the slot's `model =` key when it sits in the slot's table, else the table's line:
  /// a load error points at the line to edit.
  static func modelLine(of spec: SlotSpec, in text: String) -> Int {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    var number = spec.line
    while number < lines.count {
      let line = lines[number].drop { $0 == " " || $0 == "\t" }
      if line.hasPrefix("[") { break }
      if line.hasPrefix("model"), line.dropFirst(5).drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("=") {
        return number + 1
      }
      number += 1
    }
    return spec.line
  }

  private static func shares(_ slots: [ServingSlot]) -> String {
    slots.map { "\($0.name)=\(Int(($0.share * 100).rounded()))%" }.joined(separator: " ")
  }

  static func milliseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    return FixedPoint.format(Double(seconds) * 1000 + Double(attoseconds) / 1e15, decimals: 1)
  }

  private static func describe(_ error: any Error) -> String {
    if let error = error as? CocoaError {
      let missing: Set<CocoaError.Code> = [.fileNoSuchFile, .fileReadNoSuchFile]
      if missing.contains(error.code) || (error.underlying as? POSIXError)?.code == .ENOENT {
        return "no such file or not readable"
      }
    }
    return "\(error)"
  }
}

extension Reconciler.Trigger {
  /// A short name for logs and the audit trail.
  public var label: String {
    switch self {
    case .startup: return "startup"
    case .configChanged: return "config-changed"
    case .signal: return "sighup"
    case .modelChanged: return "model-changed"
    case .guardTrip: return "guard-trip"
    case .rolloutStep: return "rollout"
    }
  }
}
