import FoundationEssentials
import HotswapConfig

/// The stepped rollout, pure: `[rollout] slot, steps, every` plus the progress so far and the time
/// give the next progress, the slot's share and the time to the next step.
///
/// A step lasts `every` from when it started *in a running server*: after a restart the step in
/// progress resumes with its persisted start, and however long the server was down it advances at
/// most one step per `every`, so every share is watched by the guard before the next one.
public struct RolloutSchedule: Sendable {
  /// The settings.
  public let settings: RolloutSettings

  /// Creates a schedule.
  public init(settings: RolloutSettings) {
    self.settings = settings
  }

  /// The progress of a rollout starting at `now` (its first step may already be the last one).
  /// A `gated` rollout (its slot is shadowed and the guard judges the shadow) waits, at 0 %, for
  /// the shadow's verdict before its first step.
  public func start(at now: Date, gated: Bool = false) -> RolloutProgress {
    if gated {
      return RolloutProgress(
        slot: settings.slot,
        stepIndex: 0,
        startedAt: now,
        stepStartedAt: now,
        state: .waiting
      )
    }
    return finishIfLast(
      RolloutProgress(slot: settings.slot, stepIndex: 0, startedAt: now, stepStartedAt: now, state: .running),
      at: now
    )
  }

  /// The progress at `now`: a waiting rollout takes its first step once the shadow passes
  /// (`shadowPasses`); a running one is rolled back when the guard tripped the slot, else goes
  /// one step further once the current step has lasted `every`.
  public func advance(
    _ progress: RolloutProgress,
    now: Date,
    tripped: Bool,
    shadowPasses: Bool = false
  ) -> RolloutProgress {
    if progress.state == .waiting {
      guard shadowPasses, !tripped else { return progress }
      var first = progress
      first.state = .running
      first.stepStartedAt = now
      return finishIfLast(first, at: now)
    }
    guard progress.state == .running else { return progress }
    var next = progress
    if tripped {
      next.state = .rolledBack
      next.endedAt = now
      return next
    }
    guard let due = nextStepAt(progress), now >= due else { return progress }
    next.stepIndex = min(progress.stepIndex + 1, settings.steps.count - 1)
    next.stepStartedAt = now
    return finishIfLast(next, at: now)
  }

  /// The slot's share in percent.
  public func percent(_ progress: RolloutProgress) -> Double {
    switch progress.state {
    case .rolledBack, .waiting: return 0
    case .running, .promoted, .completed:
      return settings.steps[min(max(0, progress.stepIndex), settings.steps.count - 1)]
    }
  }

  /// When the next step is due, nil once the rollout has ended.
  public func nextStepAt(_ progress: RolloutProgress) -> Date? {
    guard progress.state == .running else { return nil }
    return progress.stepStartedAt.addingTimeInterval(settings.every.inSeconds)
  }

  /// Time left until the next step (zero when overdue), nil once the rollout has ended.
  public func timeToNextStep(_ progress: RolloutProgress, now: Date) -> Duration? {
    guard let due = nextStepAt(progress) else { return nil }
    let seconds = max(0, due.timeIntervalSince(now))
    return .milliseconds(Int64((seconds * 1000).rounded()))
  }

  private func finishIfLast(_ progress: RolloutProgress, at now: Date) -> RolloutProgress {
    guard progress.stepIndex >= settings.steps.count - 1 else { return progress }
    var finished = progress
    finished.state = settings.steps[settings.steps.count - 1] >= 100 ? .promoted : .completed
    finished.endedAt = now
    return finished
  }
}
