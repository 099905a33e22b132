import FoundationEssentials

extension ChartHistory {
  /// Marks what the guard or the rollout just did, as it happens: a step that lasts less than
  /// the status page's refresh (a canary tripped right after its first step) is still marked.
  public func record(_ event: DeliveryEvent, at time: Date) {
    switch event {
    case .guardTripped(let trip):
      record(
        .init(time: time, kind: .guardTrip, label: "guard: \(trip.slot) → \(trip.stable): \(trip.reason)")
      )
    case .rolloutStep(let slot, let index, let percent):
      record(
        .init(
          time: time,
          kind: .rollout,
          label: "rollout: \(slot) step \(index + 1) at \(Self.percent(percent))"
        )
      )
    case .rolloutPromoted(let slot):
      record(.init(time: time, kind: .rollout, label: "rollout: \(slot) promoted to 100 %"))
    case .rolloutCompleted(let slot, let percent):
      record(
        .init(time: time, kind: .rollout, label: "rollout: \(slot) completed at \(Self.percent(percent))")
      )
    case .rolloutRolledBack(let slot, let index):
      record(.init(time: time, kind: .rollout, label: "rollout: \(slot) rolled back at step \(index + 1)"))
    }
  }

  /// A share for an event label: "20 %", "12.5 %".
  public static func percent(_ value: Double) -> String {
    FixedPoint.format(value, decimals: value == value.rounded() ? 0 : 1) + " %"
  }
}
