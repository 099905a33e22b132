/// What changed between two plans, for the log line written when a new plan is applied.
public struct PlanDiff: Sendable, Equatable, CustomStringConvertible {
  /// The changes as short phrases, in a fixed order: traffic, slots, stickiness, guard, rollout,
  /// shadow, prediction log, server.
  public let changes: [String]
  /// Whether `[server]` differs; its settings apply only on restart.
  public let serverChanged: Bool
  /// Slots whose model path or version changed, plus added slots (all slots for a first plan),
  /// sorted: the slots the core must load.
  public let changedModelSlots: [String]
  /// Slots the new plan no longer has, sorted.
  public let removedSlots: [String]

  /// Compares `old` (the plan being served, `nil` at start) with `new`.
  public init(from old: Plan?, to new: Plan) {
    guard let old else {
      let slots = new.slots.map {
        "\($0.name) \(NumberText.percent(new.share(of: $0.name))) (\($0.configuredModel))"
      }
      changes = ["initial plan: " + slots.joined(separator: ", ")]
      serverChanged = false
      changedModelSlots = new.slotNames
      removedSlots = []
      return
    }
    var changes: [String] = []
    let oldNames = Set(old.slotNames)
    let newNames = Set(new.slotNames)
    let traffic = new.slotNames.filter { oldNames.contains($0) }.compactMap { name -> String? in
      let (before, after) = (old.share(of: name), new.share(of: name))
      guard abs(before - after) > 1e-12 else { return nil }
      return "\(name) \(NumberText.percent(before)) → \(NumberText.percent(after))"
    }
    if !traffic.isEmpty { changes.append("traffic " + traffic.joined(separator: ", ")) }
    var changedModels: [String] = []
    for slot in new.slots {
      guard let previous = old.slot(named: slot.name) else {
        changes.append(
          "slot \(slot.name) added: \(slot.configuredModel), \(NumberText.percent(new.share(of: slot.name)))"
        )
        changedModels.append(slot.name)
        continue
      }
      if previous.modelPath != slot.modelPath {
        changes.append("\(slot.name) model \(previous.configuredModel) → \(slot.configuredModel)")
      }
      if previous.version != slot.version {
        changes.append(
          "\(slot.name) version \(previous.version ?? "(from model)") → \(slot.version ?? "(from model)")"
        )
      }
      if previous.modelPath != slot.modelPath || previous.version != slot.version {
        changedModels.append(slot.name)
      }
    }
    let removed = old.slotNames.filter { !newNames.contains($0) }
    changes += removed.map { "slot \($0) removed" }
    if old.stickyHeader != new.stickyHeader {
      changes.append("sticky header \(old.stickyHeader ?? "none") → \(new.stickyHeader ?? "none")")
    }
    if old.guardSettings != new.guardSettings {
      changes.append("guard \(Self.describe(old.guardSettings)) → \(Self.describe(new.guardSettings))")
    }
    if old.rollout != new.rollout {
      changes.append("rollout \(Self.describe(old.rollout)) → \(Self.describe(new.rollout))")
    }
    if old.shadow != new.shadow {
      changes.append("shadow \(Self.describe(old.shadow)) → \(Self.describe(new.shadow))")
    }
    if old.predictionLog != new.predictionLog {
      changes.append(
        "prediction log \(Self.describe(old.predictionLog)) → \(Self.describe(new.predictionLog))"
      )
    }
    let server = Self.serverChanges(old.server, new.server)
    if !server.isEmpty {
      changes.append("[server] " + server.joined(separator: ", ") + " (applied on restart)")
    }
    self.changes = changes
    self.serverChanged = old.server != new.server
    self.changedModelSlots = changedModels
    self.removedSlots = removed
  }

  /// Whether nothing observable changed (weights with the same shares count as unchanged).
  public var isEmpty: Bool { changes.isEmpty }

  /// One line: the changes separated by `; `, or `no changes`.
  public var description: String {
    isEmpty ? "no changes" : changes.joined(separator: "; ")
  }

  private static func describe(_ settings: GuardSettings?) -> String {
    guard let settings else { return "off" }
    var parts: [String] = []
    if let rate = settings.maxErrorRate { parts.append("error rate ≤ \(NumberText.percent(rate))") }
    if let p99 = settings.maxP99Milliseconds { parts.append("p99 ≤ \(NumberText.format(p99))ms") }
    if let agreement = settings.minAgreement { parts.append("agreement ≥ \(NumberText.percent(agreement))") }
    if let difference = settings.maxP99Difference {
      parts.append("p99 difference ≤ \(NumberText.format(difference))")
    }
    parts.append("min \(settings.minRequests) requests per \(ConfigDuration.format(settings.window))")
    return "(" + parts.joined(separator: ", ") + ")"
  }

  private static func describe(_ log: PredictionLogSettings) -> String {
    guard log.sample > 0 else { return "off" }
    let inputs = log.inputs ? ", with inputs" : ""
    return "(\(NumberText.percent(log.sample)) of predictions\(inputs), rotated at \(log.maxBytes) bytes)"
  }

  private static func describe(_ rollout: RolloutSettings?) -> String {
    guard let rollout else { return "off" }
    let steps = rollout.steps.map { NumberText.format($0) + "%" }.joined(separator: " ")
    return "(\(rollout.slot) \(steps) every \(ConfigDuration.format(rollout.every)))"
  }

  private static func describe(_ shadow: ShadowSettings?) -> String {
    guard let shadow else { return "off" }
    var parts = ["\(shadow.slot) \(NumberText.format(shadow.samplePercent))% of requests"]
    if shadow.record > 0 { parts.append("record \(shadow.record)") }
    if shadow.tolerance > 0 { parts.append("tolerance \(NumberText.format(shadow.tolerance))") }
    return "(" + parts.joined(separator: ", ") + ")"
  }

  private static func serverChanges(_ old: ServerSettings, _ new: ServerSettings) -> [String] {
    func change<Value: Equatable>(
      _ name: String,
      _ keyPath: KeyPath<ServerSettings, Value>,
      _ text: (Value) -> String
    )
      -> String?
    {
      old[keyPath: keyPath] == new[keyPath: keyPath]
        ? nil : "\(name) \(text(old[keyPath: keyPath])) → \(text(new[keyPath: keyPath]))"
    }
    let duration = { (value: Duration) in ConfigDuration.format(value) }
    return [
      change("listen", \.listen) { $0.description },
      change("model_name", \.modelName) { $0 },
      change("max_body_bytes", \.maxBodyBytes) { "\($0)" },
      change("max_header_bytes", \.maxHeaderBytes) { "\($0)" },
      change("max_message_bytes", \.maxMessageBytes) { "\($0)" },
      change("max_connections", \.maxConnections) { "\($0)" },
      change("max_concurrent_streams", \.maxConcurrentStreams) { "\($0)" },
      change("idle_timeout", \.idleTimeout, duration),
      change("request_timeout", \.requestTimeout, duration),
      change("drain_timeout", \.drainTimeout, duration),
      change("state_directory", \.stateDirectory) { $0 ?? "none" },
    ].compactMap { $0 }
  }
}
