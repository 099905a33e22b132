import FoundationEssentials
import HotswapConfig
import Logging

/// What a pass records: the rejection (state, audit trail, log), loaded models in the log.
extension Reconciler {
  func reject(_ errors: [String], sha: String?, _ trigger: Trigger, diff: PlanDiff? = nil) -> Outcome {
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

  func logLoaded(_ model: LoadedModel, slots: [String]) {
    logger.info(
      "model loaded",
      metadata: [
        "model.slot": "\(slots.joined(separator: ","))", "model.path": "\(model.path)",
        "model.version": "\(model.version)",
        "model.sha256": "\(model.sha256.prefix(12))",
        "model.load_ms": "\(FixedPoint.format(model.loadDuration.milliseconds, decimals: 1))",
      ]
    )
  }

  static func shares(_ slots: [ServingSlot]) -> String {
    slots.map { "\($0.name)=\(Int(($0.share * 100).rounded()))%" }.joined(separator: " ")
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
