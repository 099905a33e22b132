import Synchronization

/// Per-slot sliding-window statistics of served requests, fed by every request and read by the
/// guard and the status page. One lock around small fixed arrays: recording is a dictionary
/// lookup and a few increments, with no allocation once a slot has been seen.
public final class RequestStatistics: RequestObserver, Sendable {
  /// How many seconds of history each slot keeps (10 minutes): the longest window the guard can
  /// judge and the status page can show.
  public static let defaultCapacity = 600

  private let origin: ContinuousClock.Instant
  private let capacity: Int
  private let windows = Mutex<[String: SlotWindow]>([:])

  /// Creates empty statistics; seconds are counted from `origin`.
  public init(origin: ContinuousClock.Instant = .now, capacity: Int = RequestStatistics.defaultCapacity) {
    self.origin = origin
    self.capacity = capacity
  }

  /// The longest window the statistics can answer for.
  public var longestWindow: Duration { .seconds(capacity) }

  /// Records a request now.
  public func observe(_ observation: RequestObservation) {
    record(observation, at: .now)
  }

  /// Records a request at `instant` (tests inject the time).
  public func record(_ observation: RequestObservation, at instant: ContinuousClock.Instant) {
    let second = self.second(of: instant)
    let (seconds, attoseconds) = observation.duration.components
    let nanoseconds = seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
    windows.withLock { windows in
      if windows[observation.slot] == nil {
        windows[observation.slot] = SlotWindow(capacity: capacity)
      }
      windows[observation.slot]!.record(
        second: second,
        outcome: observation.outcome,
        nanoseconds: nanoseconds
      )
    }
  }

  /// What `slot` served in the `window` up to `now`, counting only seconds at or after `since`.
  public func summary(
    slot: String,
    window: Duration,
    now: ContinuousClock.Instant,
    since: ContinuousClock.Instant? = nil
  ) -> WindowSummary {
    let last = second(of: now)
    let length = Int64(min(max(1, window.inSeconds.rounded(.up)), Double(capacity)))
    var first = last - length + 1
    if let since { first = max(first, second(of: since)) }
    // Summed under the lock: the window is only ever touched under it.
    let summary = windows.withLock { $0[slot]?.summary(from: first, through: last) }
    return summary ?? WindowSummary(span: .seconds(max(0, last - first + 1)))
  }

  /// Forgets everything recorded.
  public func reset() {
    windows.withLock { $0.removeAll() }
  }

  private func second(of instant: ContinuousClock.Instant) -> Int64 {
    let (seconds, _) = (instant - origin).components
    return max(0, seconds)
  }
}
