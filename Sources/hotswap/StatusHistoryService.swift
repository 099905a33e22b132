import FoundationEssentials
import HotswapCore
import HotswapServer
import ServiceLifecycle

/// Fills the status page's history: every second, the intervals that ended are sampled from the
/// request and shadow statistics, and new plan changes, guard trips and rollout steps are marked.
struct StatusHistoryService: Service {
  let history: ChartHistory
  let observability: ServerObservability
  let store: SnapshotStore
  let state: DeploymentState

  /// What has been marked already.
  private struct Seen {
    var applied = 0
    /// The rollout whose start is marked (its slot and start time).
    var rollout: String?
  }

  func run() async {
    await cancelWhenGracefulShutdown {
      var seen = Seen()
      while !Task.isCancelled {
        tick(&seen)
        do {
          try await Task.sleep(for: .seconds(1))
        } catch {
          return
        }
      }
    }
  }

  private func tick(_ seen: inout Seen) {
    let snapshot = store.snapshot
    let statistics = observability.statistics
    let shadow: (slot: String, summary: (ContinuousClock.Instant) -> ShadowSummary)? =
      if let mirror = observability.shadow, let slot = snapshot?.plan.shadow?.slot {
        (slot, { mirror.statistics.summary(window: .seconds(ChartHistory.interval), now: $0) })
      } else {
        nil
      }
    history.sample(
      at: .now,
      slots: snapshot?.slots.map(\.name) ?? [],
      requests: { statistics.summary(slot: $0, window: .seconds(ChartHistory.interval), now: $1) },
      shadow: shadow
    )
    mark(&seen)
  }

  /// Marks plan changes and the start of a rollout; its steps and the guard's trips are marked
  /// by the delivery service as they happen.
  private func mark(_ seen: inout Seen) {
    let value = state.value
    if value.appliedCount > seen.applied, let change = value.lastApplied {
      history.record(
        .init(time: change.time, kind: .plan, label: "generation \(change.generation): \(change.summary)")
      )
    }
    seen.applied = value.appliedCount
    let delivery = observability.delivery.status()
    guard let progress = delivery.rollout else { return }
    let key = "\(progress.slot) \(progress.startedAt.timeIntervalSince1970)"
    guard key != seen.rollout else { return }
    seen.rollout = key
    let label: String
    switch progress.state {
    case .waiting: label = "rollout: \(progress.slot) waits for the shadow"
    case .running where progress.stepIndex == 0:
      label = "rollout: \(progress.slot) step 1 at \(ChartHistory.percent(delivery.rolloutPercent ?? 0))"
    default: return  // a rollout resumed after a restart: its steps were marked before
    }
    history.record(.init(time: progress.startedAt, kind: .rollout, label: label))
  }
}
