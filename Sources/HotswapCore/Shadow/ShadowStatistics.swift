import FoundationEssentials
import Synchronization

/// The shadow's numbers: a sliding window (for the guard, the rollout gate and the status page)
/// and totals since the shadow began (kept across restarts through the state file). Written by the
/// shadow worker under one lock, once per batch of copies; the request path only counts drops, with one atomic add.
public final class ShadowStatistics: Sendable {
  /// Seconds per window bucket.
  public static let period: Int64 = 5
  /// Seconds the window keeps (10 minutes: the longest window the guard judges).
  public static let windowSeconds: Int64 = 600

  private struct State {
    var window: ShadowWindow
    var total = ShadowSummary()
    var lastError: String?
    var lastErrorAt: Date?
    var droppedSinceStart = 0
  }

  private let origin: ContinuousClock.Instant
  private let state: Mutex<State>
  private let pendingDrops = Atomic<Int>(0)

  /// Creates empty statistics; time is counted from `origin`.
  public init(origin: ContinuousClock.Instant = .now) {
    self.origin = origin
    state = Mutex(
      State(
        window: ShadowWindow(
          capacity: Int(Self.windowSeconds / Self.period),
          period: Self.period
        )
      )
    )
  }

  /// Counts a dropped copy: lock-free, for the request path.
  @inline(__always)
  public func countDrop() {
    pendingDrops.add(1, ordering: .relaxed)
  }

  /// Counts one compared request at `instant`.
  public func recordCompared(
    _ comparisons: [PredictionComparison],
    shadow: Duration,
    live: Duration,
    at instant: ContinuousClock.Instant = .now
  ) {
    let second = self.second(of: instant)
    let (shadowNanoseconds, liveNanoseconds) = (Self.nanoseconds(shadow), Self.nanoseconds(live))
    state.withLock { state in
      fold(&state, second: second)
      state.window.update(second: second) {
        $0.record(comparisons, shadowNanoseconds: shadowNanoseconds, liveNanoseconds: liveNanoseconds)
      }
      state.total.record(comparisons, shadowNanoseconds: shadowNanoseconds, liveNanoseconds: liveNanoseconds)
    }
  }

  /// Counts a batch of copies the worker ran, at `instant`: one lock for the whole batch.
  public func record(
    _ batch: ShadowBatch,
    at instant: ContinuousClock.Instant = .now,
    wall: Date = Date()
  ) {
    guard !batch.isEmpty else { return }
    let second = self.second(of: instant)
    state.withLock { state in
      fold(&state, second: second)
      state.window.update(second: second) { summary in
        for run in batch.runs {
          summary.record(
            batch.comparisons(of: run),
            shadowNanoseconds: Self.nanoseconds(run.shadow),
            liveNanoseconds: Self.nanoseconds(run.live)
          )
        }
        summary.errors += batch.errors
      }
      for run in batch.runs {
        state.total.record(
          batch.comparisons(of: run),
          shadowNanoseconds: Self.nanoseconds(run.shadow),
          liveNanoseconds: Self.nanoseconds(run.live)
        )
      }
      state.total.errors += batch.errors
      if let message = batch.lastError {
        state.lastError = message
        state.lastErrorAt = wall
      }
    }
  }

  /// Counts one request the shadow failed, with its message.
  public func recordError(_ message: String, at instant: ContinuousClock.Instant = .now, wall: Date = Date())
  {
    let second = self.second(of: instant)
    state.withLock { state in
      fold(&state, second: second)
      state.window.update(second: second) { $0.errors += 1 }
      state.total.errors += 1
      state.lastError = message
      state.lastErrorAt = wall
    }
  }

  /// The window's numbers over `window` up to `now`, counting only periods that began at or
  /// after `since`.
  public func summary(
    window: Duration,
    now: ContinuousClock.Instant = .now,
    since: ContinuousClock.Instant? = nil
  ) -> ShadowSummary {
    let last = second(of: now)
    let length = Int64(min(max(1, window.inSeconds.rounded(.up)), Double(Self.windowSeconds)))
    var first = last - length + 1
    if let since { first = max(first, second(of: since)) }
    return state.withLock { state in
      fold(&state, second: last)
      return state.window.summary(from: first, through: last)
    }
  }

  /// The totals since the shadow began, and the last shadow error.
  public func totals(
    now: ContinuousClock.Instant = .now
  ) -> (
    summary: ShadowSummary, lastError: String?, lastErrorAt: Date?
  ) {
    let second = self.second(of: now)
    return state.withLock { state in
      fold(&state, second: second)
      return (state.total, state.lastError, state.lastErrorAt)
    }
  }

  /// Starts again: the window emptied, the totals replaced by `totals` (restored from the state
  /// file, or empty for a new shadow).
  public func reset(totals: ShadowSummary = ShadowSummary()) {
    _ = pendingDrops.exchange(0, ordering: .relaxed)
    state.withLock { state in
      state.window.reset()
      state.total = totals
      state.lastError = nil
      state.lastErrorAt = nil
    }
  }

  /// Moves the drops counted on the request path into the window and the totals, in the bucket
  /// of `second` (drops are folded whenever the statistics are written or read, so they land at
  /// most one shadow run late).
  private func fold(_ state: inout State, second: Int64) {
    let drops = pendingDrops.exchange(0, ordering: .relaxed)
    guard drops > 0 else { return }
    state.window.update(second: second) { $0.dropped += drops }
    state.total.dropped += drops
    state.droppedSinceStart += drops
  }

  /// Copies dropped since the process started, whatever the shadow (for the metrics' counter).
  public var droppedSinceStart: Int {
    let second = self.second(of: .now)
    return state.withLock { state in
      fold(&state, second: second)
      return state.droppedSinceStart
    }
  }

  private func second(of instant: ContinuousClock.Instant) -> Int64 {
    let (seconds, _) = (instant - origin).components
    return max(0, seconds)
  }

  private static func nanoseconds(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    return seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
  }
}
