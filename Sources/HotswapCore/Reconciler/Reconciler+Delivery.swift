import FoundationEssentials
import HotswapConfig
import Logging

/// The guard and the rollout: re-judging the served split as time passes and requests arrive.
extension Reconciler {
  /// Re-evaluates the guard and the rollout at `now` and, when the served split changes,
  /// publishes a new snapshot over the same loaded models (nothing is loaded or read). Each trip
  /// and step is logged and written to the audit trail. Returns what happened.
  @discardableResult
  public func reevaluate(now: DeliveryInstant = .now) -> [DeliveryEvent] {
    guard let delivery, planner.onlySlot == nil, let plan = planner.appliedPlan,
      let sha = planner.appliedSHA256,
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
      current.slots.map { ($0.spec, $0.model) },
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

  /// The slots with their shares of `weights` (a slot without a weight gets 0).
  static func servingSlots(
    _ slots: [(spec: SlotSpec, model: LoadedModel)],
    weights: [String: Double]
  ) -> [ServingSlot] {
    let total = slots.reduce(0.0) { $0 + weights[$1.spec.name, default: 0] }
    return slots.map { spec, model in
      let weight = weights[spec.name, default: 0]
      return ServingSlot(
        name: spec.name,
        spec: spec,
        model: model,
        weight: weight,
        share: total > 0 ? weight / total : 0
      )
    }
  }
}
