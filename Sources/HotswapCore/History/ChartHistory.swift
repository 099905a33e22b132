import FoundationEssentials
import Synchronization

/// The short history the status page draws: per slot, request rate, p99 and error rate for each
/// 10-second interval of the last 15 minutes, the shadow's agreement, and the events to mark on
/// the time axis (plan changes, guard trips, rollout steps). Fixed memory: 90 points per slot in
/// rings (slots are bounded by the config's 256), at most 64 events.
///
/// It is filled by ``sample(at:)`` from the request and shadow statistics (whose windows it
/// reads after each interval ends), never from the request path.
public final class ChartHistory: Sendable {
  /// Seconds per point.
  public static let interval: Int64 = 10
  /// Points kept (15 minutes).
  public static let capacity = 90
  /// Events kept.
  public static let eventCapacity = 64

  /// One marked event.
  public struct Event: Sendable, Equatable {
    /// What happened.
    public enum Kind: String, Sendable {
      /// A plan was applied (a saved config file).
      case plan
      /// The guard took a canary's traffic.
      case guardTrip = "guard"
      /// A rollout step (or the rollout's end).
      case rollout
    }

    /// When.
    public var time: Date
    /// What.
    public var kind: Kind
    /// One line.
    public var label: String

    /// Creates an event.
    public init(time: Date, kind: Kind, label: String) {
      self.time = time
      self.kind = kind
      self.label = label
    }
  }

  /// One slot's numbers for one interval.
  public struct Point: Sendable, Equatable {
    /// Requests per second.
    public var rate: Double
    /// The p99 in milliseconds, nil without requests.
    public var p99Milliseconds: Double?
    /// Server errors over requests.
    public var errorRate: Double
  }

  /// The history as `/status` shows it: the intervals' end times and the series, oldest first.
  public struct Series: Sendable {
    /// The end of each interval (wall clock), oldest first.
    public var ends: [Date]
    /// Per slot, one point per interval (nil where the slot had no entry then).
    public var slots: [(name: String, points: [Point?])]
    /// The shadowed slot and its agreement per interval (nil where nothing was compared).
    public var shadow: (slot: String, agreement: [Double?])?
    /// Events within the intervals shown, oldest first.
    public var events: [Event]
  }

  private struct Ring {
    var points: [Point?] = Array(repeating: nil, count: ChartHistory.capacity)
  }

  private struct State {
    var last: Int64 = -1
    var ends: [Date?] = Array(repeating: nil, count: ChartHistory.capacity)
    var slots: [String: Ring] = [:]
    var shadowSlot: String?
    var agreement: [Double?] = Array(repeating: nil, count: ChartHistory.capacity)
    var events: [Event] = []
  }

  private let origin: DeliveryInstant
  private let state = Mutex(State())

  /// Creates an empty history; intervals are counted from `origin` (the statistics' origin).
  public init(origin: DeliveryInstant) {
    self.origin = origin
  }

  /// The interval an instant falls in.
  private func interval(of instant: ContinuousClock.Instant) -> Int64 {
    let (seconds, _) = (instant - origin.uptime).components
    return max(0, seconds) / Self.interval
  }

  /// Records every interval that ended before `now` and is not recorded yet: `slots` are the
  /// slots to chart, `requests` gives a slot's summary over an interval ending at an instant,
  /// `shadow` the shadow's slot and its summary likewise.
  public func sample(
    at now: ContinuousClock.Instant,
    slots: [String],
    requests: (String, ContinuousClock.Instant) -> WindowSummary,
    shadow: (slot: String, summary: (ContinuousClock.Instant) -> ShadowSummary)?
  ) {
    let complete = interval(of: now) - 1
    let first = state.withLock { max($0.last + 1, complete - Int64(Self.capacity) + 1) }
    guard first <= complete else { return }
    var rows: [(Int64, Date, [String: Point], Double?)] = []
    for index in first...complete {
      // The interval's last second: the statistics' window of 10 s ending there is the interval.
      let end = origin.uptime.advanced(by: .seconds((index + 1) * Self.interval - 1))
      let wall = origin.wall.addingTimeInterval(Double((index + 1) * Self.interval))
      var points: [String: Point] = [:]
      for slot in slots {
        let summary = requests(slot, end)
        points[slot] = Point(
          rate: summary.requestsPerSecond,
          p99Milliseconds: summary.p99Milliseconds,
          errorRate: summary.errorRate
        )
      }
      rows.append((index, wall, points, shadow.flatMap { $0.summary(end).agreement }))
    }
    state.withLock { state in
      if state.shadowSlot != shadow?.slot {
        state.shadowSlot = shadow?.slot
        for position in state.agreement.indices { state.agreement[position] = nil }
      }
      for (index, wall, points, agreement) in rows where index > state.last {
        let position = Int(index % Int64(Self.capacity))
        state.ends[position] = wall
        for (slot, point) in points {
          state.slots[slot, default: Ring()].points[position] = point
        }
        for name in state.slots.keys where points[name] == nil {
          state.slots[name]!.points[position] = nil
        }
        state.agreement[position] = agreement
        state.last = index
      }
      state.slots = state.slots.filter { $0.value.points.contains { $0 != nil } }
    }
  }

  /// Marks an event.
  public func record(_ event: Event) {
    state.withLock { state in
      state.events.append(event)
      if state.events.count > Self.eventCapacity {
        state.events.removeFirst(state.events.count - Self.eventCapacity)
      }
    }
  }

  /// The recorded intervals, oldest first, and the events since the oldest one began.
  public func series() -> Series {
    state.withLock { state in
      guard state.last >= 0 else { return Series(ends: [], slots: [], shadow: nil, events: []) }
      let count = Int(min(Int64(Self.capacity), state.last + 1))
      let positions = (0..<count).map { Int((state.last - Int64(count - 1 - $0)) % Int64(Self.capacity)) }
      let ends = positions.map { state.ends[$0] ?? origin.wall }
      let slots = state.slots.keys.sorted().map { name in
        (name: name, points: positions.map { state.slots[name]!.points[$0] })
      }
      let shadow = state.shadowSlot.map { (slot: $0, agreement: positions.map { state.agreement[$0] }) }
      let start = (ends.first ?? origin.wall).addingTimeInterval(-Double(Self.interval))
      return Series(
        ends: ends,
        slots: slots,
        shadow: shadow,
        events: state.events.filter { $0.time >= start }
      )
    }
  }
}
