import Foundation
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
  private let logger: Logger

  private var appliedPlan: Plan?
  private var startupServer: ServerSettings?
  private var lastReadSHA256: String?
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
    logger: Logger
  ) {
    self.configPath = configPath
    self.store = store
    self.state = state
    self.loader = loader
    self.onlySlot = onlySlot
    self.audit = audit
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

  /// Re-reads the config file and applies it if it changed.
  @discardableResult
  public func reload(_ trigger: Trigger) -> Outcome {
    if case .modelChanged(let path) = trigger { changedModelPaths.insert(path) }
    let text: String
    do {
      text = try String(contentsOfFile: configPath, encoding: .utf8)
    } catch {
      return reject(["\(configPath): cannot read the config file (\(Self.describe(error)))"], sha: nil, trigger)
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
    return apply(plan, text: text, sha: sha, trigger: trigger)
  }

  private func apply(_ plan: Plan, text: String, sha: String, trigger: Trigger) -> Outcome {
    let selected: [SlotSpec]
    if let onlySlot {
      guard let spec = plan.slot(named: onlySlot) else {
        return reject(["\(configPath): --only-slot '\(onlySlot)' is not a slot of this plan"], sha: sha, trigger)
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
        errors.append("\(configPath):\(spec.line): slot '\(spec.name)': model \(error.path): \(error.reason)")
      }
    }
    if !errors.isEmpty {
      pendingModelPaths = Set(selected.map(\.modelPath))
      return reject(errors, sha: sha, trigger)
    }
    let weights: [String: Double] = onlySlot.map { [$0: 1] } ?? plan.weights
    let total = selected.reduce(0.0) { $0 + weights[$1.name, default: 0] }
    let slots = selected.map { spec in
      let weight = weights[spec.name, default: 0]
      return ServingSlot(
        name: spec.name,
        spec: spec,
        model: loaded[spec.name]!,
        weight: weight,
        share: total > 0 ? weight / total : 0
      )
    }
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
      logger.warning("config [server] section changed; restart to apply it", metadata: ["config.path": "\(configPath)"])
    } else if startupServer == nil {
      startupServer = plan.server
    }
    store.publish(snapshot)
    generation += 1
    appliedPlan = plan
    models = Dictionary(uniqueKeysWithValues: slots.map { ($0.model.path, $0.model) })
    changedModelPaths.subtract(models.keys)
    pendingModelPaths = []
    let change = DeploymentState.Change(time: Date(), generation: generation, summary: diff.description, configSHA256: sha)
    state.recordApplied(change, restartRequired: restartNote)
    audit?.record(.init(change: change, result: .applied, reason: nil, trigger: trigger, configPath: configPath, config: text))
    logger.info(
      "plan applied",
      metadata: [
        "plan.generation": "\(generation)", "plan.diff": "\(diff.description)", "plan.trigger": "\(trigger.label)",
        "plan.shares": "\(Self.shares(slots))",
      ]
    )
    return .applied(generation: generation, diff: diff)
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
          "model.slot": "\(spec.name)", "model.path": "\(spec.modelPath)", "model.version": "\(model.version)",
          "model.sha256": "\(model.sha256.prefix(12))", "model.load_ms": "\(Self.milliseconds(model.loadDuration))",
        ]
      )
      return .success(model)
    } catch {
      return .failure(error)
    }
  }

  private func reject(_ errors: [String], sha: String?, _ trigger: Trigger) -> Outcome {
    let rejection = DeploymentState.Rejection(time: Date(), errors: errors, configSHA256: sha)
    state.recordRejected(rejection)
    let change = DeploymentState.Change(
      time: rejection.time, generation: generation, summary: "rejected", configSHA256: sha ?? "")
    audit?.record(
      .init(
        change: change, result: .rejected, reason: errors.joined(separator: "; "), trigger: trigger,
        configPath: configPath, config: nil))
    logger.error(
      "plan rejected; the last good plan keeps serving",
      metadata: [
        "plan.generation": "\(generation)", "plan.trigger": "\(trigger.label)",
        "plan.errors": "\(errors.joined(separator: " | "))",
      ]
    )
    return .rejected(errors: errors)
  }

  private static func shares(_ slots: [ServingSlot]) -> String {
    slots.map { "\($0.name)=\(Int(($0.share * 100).rounded()))%" }.joined(separator: " ")
  }

  static func milliseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    return String(format: "%.1f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
  }

  private static func describe(_ error: any Error) -> String {
    let text = "\(error)"
    if text.contains("No such file") || text.contains("doesn’t exist") || text.contains("couldn’t be opened") {
      return "no such file or not readable"
    }
    return text
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
    }
  }
}
