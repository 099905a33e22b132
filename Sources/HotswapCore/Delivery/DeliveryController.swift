import FoundationEssentials
import HotswapConfig
import Synchronization

/// The guard and the stepped rollout for the served plan: decides the ``TrafficOverride`` the
/// reconciler applies over the plan's weights, persists its decisions in the state directory
/// (keyed by the config file's SHA-256) and reports them. Synchronous and clock-injected; the
/// reconciler calls it when a plan applies and on every periodic re-evaluation.
public final class DeliveryController: Sendable {
  private struct State {
    var record: DeliveryRecord?
    var loadedFromDisk = false
    var armedAt: ContinuousClock.Instant?
    var tripCounts: [String: Int] = [:]
    var plan: Plan?
    var shadowVerdict: ShadowVerdict?
  }

  /// The request statistics the guard judges; nil when requests are not observed.
  public let statistics: RequestStatistics?
  /// The shadow's statistics: what `min_agreement` and `max_p99_difference` judge.
  public let shadowStatistics: ShadowStatistics?
  private let recordFile: DeliveryRecordFile?
  private let state = Mutex(State())

  /// Creates a controller. Without `statistics` the guard cannot judge; without `recordFile`
  /// nothing survives a restart; without `shadowStatistics` the shadow thresholds never pass.
  public init(
    statistics: RequestStatistics?,
    recordFile: DeliveryRecordFile?,
    shadowStatistics: ShadowStatistics? = nil
  ) {
    self.statistics = statistics
    self.recordFile = recordFile
    self.shadowStatistics = shadowStatistics
  }

  /// The override for a plan being applied from config content `sha`: the persisted one when the
  /// content is what the record belongs to (a restart, a model reload), else a fresh one (trips
  /// cleared, rollout started). Requests from before this call do not count for the guard.
  public func override(for plan: Plan, sha: String, now: DeliveryInstant) -> TrafficOverride {
    state.withLock { state in
      if !state.loadedFromDisk {
        state.loadedFromDisk = true
        state.record = recordFile?.load()
      }
      var record = state.record
      if record?.configSHA256 != sha {
        record = DeliveryRecord(configSHA256: sha)
      }
      if let settings = plan.rollout, record?.rollout?.slot != settings.slot {
        record?.rollout = RolloutSchedule(settings: settings).start(at: now.wall, gated: Self.isGated(plan))
      } else if plan.rollout == nil {
        record?.rollout = nil
      }
      if record != state.record {
        state.record = record
        if let record { recordFile?.save(record) }
      }
      state.armedAt = now.uptime
      state.plan = plan
      state.shadowVerdict = nil
      return Self.override(plan: plan, record: record)
    }
  }

  /// Re-evaluates at `now`: the guard judges every canary, the rollout advances or rolls back.
  /// Returns the override to serve and what happened.
  public func evaluate(plan: Plan, sha: String, now: DeliveryInstant) -> (TrafficOverride, [DeliveryEvent]) {
    state.withLock { state in
      guard var record = state.record, record.configSHA256 == sha else {
        return (Self.override(plan: plan, record: state.record), [])
      }
      state.shadowVerdict = shadowVerdict(plan: plan, since: state.armedAt, now: now)
      var events: [DeliveryEvent] = []
      for var trip in judge(plan: plan, record: record, since: state.armedAt, now: now) {
        trip.time = Self.iso(now.wall)
        record.trips.append(trip)
        state.tripCounts[trip.slot, default: 0] += 1
        events.append(.guardTripped(trip))
      }
      if let settings = plan.rollout, let progress = record.rollout {
        let tripped = record.trips.contains { $0.slot == progress.slot }
        var passes = false
        if progress.state == .waiting, case .passes = state.shadowVerdict { passes = true }
        let next = RolloutSchedule(settings: settings).advance(
          progress,
          now: now.wall,
          tripped: tripped,
          shadowPasses: passes
        )
        record.rollout = next
        events += Self.events(from: progress, to: next, schedule: RolloutSchedule(settings: settings))
      }
      if record != state.record {
        state.record = record
        recordFile?.save(record)
      }
      return (Self.override(plan: plan, record: record), events)
    }
  }

  /// The guard's and the rollout's state at `now`.
  public func status(now: Date = Date()) -> DeliveryStatus {
    state.withLock { state in
      guard let plan = state.plan else { return .idle }
      let record = state.record
      var status = DeliveryStatus.idle
      status.guardSettings = plan.guardSettings
      status.guardSees = statistics != nil
      status.trips = record?.trips ?? []
      status.tripCounts = state.tripCounts
      status.roles = Self.roles(plan: plan, record: record)
      status.shadowVerdict = state.shadowVerdict
      status.armedAt = state.armedAt
      if let settings = plan.rollout, let progress = record?.rollout {
        let schedule = RolloutSchedule(settings: settings)
        status.rolloutSettings = settings
        status.rollout = progress
        status.rolloutPercent = schedule.percent(progress)
        status.nextStepAt = schedule.nextStepAt(progress)
        status.timeToNextStep = schedule.timeToNextStep(progress, now: now)
      }
      return status
    }
  }

  private func judge(
    plan: Plan,
    record: DeliveryRecord,
    since: ContinuousClock.Instant?,
    now: DeliveryInstant
  )
    -> [GuardTrip]
  {
    guard let settings = plan.guardSettings, let statistics else { return [] }
    let roles = Self.roles(plan: plan, record: record)
    var summaries: [String: WindowSummary] = [:]
    for canary in roles.canaries {
      summaries[canary] = statistics.summary(
        slot: canary,
        window: settings.window,
        now: now.uptime,
        since: since
      )
    }
    let evaluator = GuardEvaluator(settings: settings)
    var trips = evaluator.evaluate(roles: roles, summaries: summaries)
    if let shadowSlot = plan.shadow?.slot, let stable = roles.stable, roles.canaries.contains(shadowSlot),
      !trips.contains(where: { $0.slot == shadowSlot }), let shadowStatistics
    {
      let window = shadowStatistics.summary(window: settings.window, now: now.uptime, since: since)
      if let trip = evaluator.evaluate(shadowedCanary: shadowSlot, stable: stable, shadow: window) {
        trips.append(trip)
      }
    }
    return trips
  }

  /// The shadow thresholds' verdict on the shadow's window since `since`; nil without a shadow
  /// or without shadow thresholds. Without shadow statistics nothing is ever compared.
  private func shadowVerdict(
    plan: Plan,
    since: ContinuousClock.Instant?,
    now: DeliveryInstant
  ) -> ShadowVerdict? {
    guard plan.shadow != nil, let settings = plan.guardSettings, settings.judgesShadow else { return nil }
    let window =
      shadowStatistics?.summary(window: settings.window, now: now.uptime, since: since) ?? ShadowSummary()
    return ShadowVerdict.judge(window, settings: settings)
  }

  /// Whether a rollout of this plan waits for the shadow: its slot is the shadow and the guard
  /// sets a shadow threshold.
  private static func isGated(_ plan: Plan) -> Bool {
    guard let rollout = plan.rollout, let shadow = plan.shadow else { return false }
    return rollout.slot == shadow.slot && plan.guardSettings?.judgesShadow == true
  }

  private static func roles(plan: Plan, record: DeliveryRecord?) -> TrafficRoles {
    let weights = override(plan: plan, record: record).weights(for: plan)
    let rolloutSlot = record?.rollout.flatMap {
      $0.state == .running || $0.state == .completed ? $0.slot : nil
    }
    return TrafficRoles(weights: weights, rolloutSlot: rolloutSlot)
  }

  private static func override(plan: Plan, record: DeliveryRecord?) -> TrafficOverride {
    guard let record else { return .none }
    var result = TrafficOverride()
    if let settings = plan.rollout, let progress = record.rollout {
      result.rollout = (progress.slot, RolloutSchedule(settings: settings).percent(progress))
    }
    result.trips = record.trips.map { ($0.slot, $0.stable) }
    return result
  }

  private static func events(
    from old: RolloutProgress,
    to new: RolloutProgress,
    schedule: RolloutSchedule
  )
    -> [DeliveryEvent]
  {
    guard old != new else { return [] }
    switch new.state {
    case .rolledBack: return [.rolloutRolledBack(slot: new.slot, stepIndex: new.stepIndex)]
    case .promoted: return [.rolloutPromoted(slot: new.slot)]
    case .completed: return [.rolloutCompleted(slot: new.slot, percent: schedule.percent(new))]
    case .running:
      return [.rolloutStep(slot: new.slot, stepIndex: new.stepIndex, percent: schedule.percent(new))]
    case .waiting: return []
    }
  }

  private static func iso(_ date: Date) -> String {
    ISO8601Time.string(from: date, fractionalSeconds: true)
  }
}
