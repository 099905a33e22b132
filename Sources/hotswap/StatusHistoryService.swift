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
    var trips: Set<String> = []
    var rollout: RolloutProgress?
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

  private func mark(_ seen: inout Seen) {
    let value = state.value
    if value.appliedCount > seen.applied, let change = value.lastApplied {
      history.record(
        .init(time: change.time, kind: .plan, label: "generation \(change.generation): \(change.summary)")
      )
    }
    seen.applied = value.appliedCount
    let delivery = observability.delivery.status()
    for trip in delivery.trips {
      let key = "\(trip.slot) \(trip.time ?? "")"
      guard !seen.trips.contains(key) else { continue }
      seen.trips.insert(key)
      let time = trip.time.flatMap(ISO8601Time.date(from:)) ?? Date()
      history.record(
        .init(time: time, kind: .guardTrip, label: "guard: \(trip.slot) → \(trip.stable): \(trip.reason)")
      )
    }
    if let progress = delivery.rollout, progress != seen.rollout {
      if let label = Self.label(progress, percent: delivery.rolloutPercent ?? 0, previous: seen.rollout) {
        history.record(.init(time: progress.endedAt ?? progress.stepStartedAt, kind: .rollout, label: label))
      }
      seen.rollout = progress
    }
  }

  private static func label(
    _ progress: RolloutProgress,
    percent: Double,
    previous: RolloutProgress?
  ) -> String? {
    let share = FixedPoint.format(percent, decimals: percent == percent.rounded() ? 0 : 1)
    switch progress.state {
    case .waiting: return previous == nil ? "rollout: \(progress.slot) waits for the shadow" : nil
    case .running: return "rollout: \(progress.slot) step \(progress.stepIndex + 1) at \(share) %"
    case .promoted: return "rollout: \(progress.slot) promoted to 100 %"
    case .completed: return "rollout: \(progress.slot) completed at \(share) %"
    case .rolledBack: return "rollout: \(progress.slot) rolled back"
    }
  }
}
