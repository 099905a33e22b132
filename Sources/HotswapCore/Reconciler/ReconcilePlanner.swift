import HotswapConfig

/// The reconciler's decisions, as a value: given what the file says and which models are loaded,
/// which model files to load, verify or reuse, and then whether to publish, reject or do nothing
/// — and what the served state is afterwards. No I/O, no clock: ``Reconciler`` reads, loads,
/// publishes and records what this returns.
struct ReconcilePlanner: Sendable {
  /// How a plan's model file is obtained.
  enum ModelSource: Sendable {
    /// Already loaded and unchanged: use it.
    case reuse(LoadedModel)
    /// Loaded, but its file was reported changed: reuse it if the file's SHA-256 is still its.
    case verify(LoadedModel)
    /// Not loaded: read, check and warm up the file.
    case load
  }

  /// One model file the plan needs (two slots naming one file need it once).
  struct ModelRequest: Sendable {
    let path: String
    let source: ModelSource
  }

  /// What to do after reading the file.
  enum ReadDecision: Sendable {
    /// The content and models are what is already served: nothing to do.
    case unchanged
    /// The file cannot be read or does not validate.
    case reject([String])
    /// Obtain these models, then settle the pass with them.
    case obtain(Plan, [ModelRequest])
  }

  /// What a settled reload does.
  enum Decision: Sendable {
    /// Nothing changes.
    case unchanged
    /// The plan is rejected; the served snapshot stays.
    case reject(errors: [String], diff: PlanDiff?)
    /// Publish these slots (weights to be applied by the caller) as the next snapshot.
    case publish(Publication)
  }

  /// A new snapshot's content and what it changes.
  struct Publication: Sendable {
    let plan: Plan
    /// The slots to serve, in plan order, each with its (possibly relabeled) model.
    let slots: [(spec: SlotSpec, model: LoadedModel)]
    /// The models by path as loaded (their own version), one per file however many slots share it.
    let models: [String: LoadedModel]
    let diff: PlanDiff
    /// Set when `[server]` differs from the settings the process started with.
    let restartNote: String?
  }

  /// Everything one reload pass knows: the file as read and the trigger's kind.
  struct Pass: Sendable {
    let read: ConfigRead
    let configPath: String
    /// `.startup` applies even an unchanged file.
    let isStartup: Bool
  }

  /// `--only-slot`: serve just this slot at 100 %.
  let onlySlot: String?
  /// The plan served, nil before the first publish.
  private(set) var appliedPlan: Plan?
  /// SHA-256 of the file content served.
  private(set) var appliedSHA256: String?
  /// SHA-256 of the file content last read to the end of a pass (applied or rejected).
  private(set) var lastReadSHA256: String?
  /// The `[server]` settings of the first applied plan: the ones in force until restart.
  private(set) var startupServer: ServerSettings?
  /// Served models by path, as loaded (versioned by their own metadata).
  private(set) var models: [String: LoadedModel] = [:]
  /// Models loaded by a pass a newer change superseded, by path: the next pass reuses them. Kept
  /// only until a pass settles, so at most one plan's models wait here.
  private(set) var staged: [String: LoadedModel] = [:]
  /// Model paths reported changed since they were loaded.
  private(set) var changedModelPaths: Set<String> = []
  /// The model paths of a rejected plan, watched so that fixing a model retries it.
  private(set) var pendingModelPaths: Set<String> = []

  init(onlySlot: String?) {
    self.onlySlot = onlySlot
  }

  /// Model files to watch: those served, those staged, and those of a rejected plan.
  var watchedModelPaths: Set<String> {
    Set(models.keys).union(staged.keys).union(pendingModelPaths)
  }

  /// A model file was reported changed.
  mutating func modelChanged(_ path: String) {
    changedModelPaths.insert(path)
  }

  /// Decides from the file as read whether there is anything to do, and which models the plan
  /// needs.
  func decide(_ pass: Pass) -> ReadDecision {
    let modelsChanged = !changedModelPaths.isDisjoint(with: watchedModelPaths)
    if let sha = pass.read.sha256, sha == lastReadSHA256, !modelsChanged, !pass.isStartup {
      return .unchanged
    }
    let plan: Plan
    switch pass.read.result {
    case .failure(let errors): return .reject(errors.errors.map(\.description))
    case .success(let parsed): plan = parsed
    }
    let selected: [SlotSpec]
    switch selectedSlots(of: plan, configPath: pass.configPath) {
    case .failure(let error): return .reject([error.message])
    case .success(let slots): selected = slots
    }
    var requests: [ModelRequest] = []
    var seen: Set<String> = []
    for spec in selected where seen.insert(spec.modelPath).inserted {
      requests.append(ModelRequest(path: spec.modelPath, source: source(for: spec.modelPath)))
    }
    return .obtain(plan, requests)
  }

  /// The slots to load: every slot (standby included, so a pin can test it before it gets
  /// traffic), or the `--only-slot` one.
  private func selectedSlots(of plan: Plan, configPath: String) -> Result<[SlotSpec], OnlySlotMissing> {
    guard let onlySlot else { return .success(plan.slots) }
    guard let spec = plan.slot(named: onlySlot) else {
      return .failure(
        OnlySlotMissing(message: "\(configPath): --only-slot '\(onlySlot)' is not a slot of this plan")
      )
    }
    return .success([spec])
  }

  private struct OnlySlotMissing: Error {
    let message: String
  }

  /// A model freshly staged is current unless reported changed since; a served one likewise.
  private func source(for path: String) -> ModelSource {
    guard let existing = staged[path] ?? models[path] else { return .load }
    return changedModelPaths.contains(path) ? .verify(existing) : .reuse(existing)
  }

  /// With every requested model obtained (or failed), decides what the pass does.
  /// `served` is the snapshot now published (its models are reused when nothing changed, so an
  /// unchanged slot keeps its identity).
  func settle(
    _ pass: Pass,
    plan: Plan,
    obtained: [String: Result<LoadedModel, ModelLoadError>],
    served: Snapshot?
  ) -> Decision {
    let selected = (try? selectedSlots(of: plan, configPath: pass.configPath).get()) ?? []
    var errors: [String] = []
    var slots: [(spec: SlotSpec, model: LoadedModel)] = []
    var models: [String: LoadedModel] = [:]
    for spec in selected {
      switch obtained[spec.modelPath] {
      case .success(let model):
        models[spec.modelPath] = model
        slots.append((spec, Self.servingModel(model, for: spec, served: served)))
      case .failure(let error):
        errors.append(
          "\(pass.configPath):\(spec.modelLine): slot '\(spec.name)': model \(error.path): \(error.reason)"
        )
      case nil:
        errors.append(
          "\(pass.configPath):\(spec.modelLine): slot '\(spec.name)': model \(spec.modelPath) was not loaded"
        )
      }
    }
    let diff = PlanDiff(from: appliedPlan, to: plan)
    if !errors.isEmpty { return .reject(errors: errors, diff: diff) }
    if !pass.isStartup, plan == appliedPlan, pass.read.sha256 == appliedSHA256, let served,
      slots.allSatisfy({ slot in served.slot(named: slot.spec.name)?.model === slot.model })
    {
      return .unchanged
    }
    var restartNote: String? = nil
    if let startupServer, startupServer != plan.server {
      restartNote =
        "[server] changed in \(pass.configPath); the running server keeps its settings until restart"
    }
    return .publish(
      Publication(plan: plan, slots: slots, models: models, diff: diff, restartNote: restartNote)
    )
  }

  /// The model a slot serves: the loaded file under the slot's `version` when it sets one, and
  /// the very instance already served when that is the same file and version (a weight-only
  /// change keeps every model's identity).
  private static func servingModel(_ model: LoadedModel, for spec: SlotSpec, served: Snapshot?) -> LoadedModel
  {
    let wanted = spec.version.map { model.labeled(version: $0) } ?? model
    if let current = served?.slot(named: spec.name)?.model, current.isSame(as: wanted) { return current }
    return wanted
  }

  // MARK: Recording what happened

  /// A pass was superseded by a newer change: keep what it loaded for the next pass.
  mutating func superseded(obtained: [String: Result<LoadedModel, ModelLoadError>]) {
    for case (let path, .success(let model)) in obtained {
      staged[path] = model
      changedModelPaths.remove(path)
    }
  }

  /// The file as read could not be used (or nothing changed): remember its digest so that the
  /// same content is not reconsidered until it or a model changes.
  mutating func finishedReading(_ pass: Pass) {
    if let sha = pass.read.sha256 { lastReadSHA256 = sha }
  }

  /// A plan was rejected for its models: watch them so that fixing one retries the plan.
  mutating func rejected(_ pass: Pass, plan: Plan?) {
    finishedReading(pass)
    staged = [:]
    if let plan {
      let selected = (try? selectedSlots(of: plan, configPath: pass.configPath).get()) ?? []
      pendingModelPaths = Set(selected.map(\.modelPath))
    }
  }

  /// Nothing changed: the models obtained are the ones served.
  mutating func unchanged(_ pass: Pass) {
    finishedReading(pass)
    staged = [:]
    changedModelPaths.subtract(models.keys)
    pendingModelPaths = []
  }

  /// `publication` is live: it is now the served state.
  mutating func published(_ publication: Publication, pass: Pass) {
    finishedReading(pass)
    appliedPlan = publication.plan
    appliedSHA256 = pass.read.sha256
    if startupServer == nil { startupServer = publication.plan.server }
    models = publication.models
    staged = [:]
    changedModelPaths.subtract(models.keys)
    pendingModelPaths = []
  }
}
