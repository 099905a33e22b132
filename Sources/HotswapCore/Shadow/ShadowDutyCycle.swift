/// Keeps the shadow worker's CPU time under a share of one core: after each batch the worker
/// reports the CPU time its thread has used and the time on the clock, and pauses for as long as
/// it takes for its use to fall back under the share. Measured over windows of 100 ms, so a
/// burst is paid back within the window. A value: the worker's loop owns it.
///
/// `SCHED_IDLE` keeps the worker off a CPU that a live thread wants, but on a small box the live
/// threads leave short gaps (an event loop waiting a few microseconds for the network) that the
/// worker fills: each costs the live thread a context switch and its caches when it comes back.
/// The share bounds how many such gaps the shadow takes.
struct ShadowDutyCycle: Sendable, Equatable {
  /// Nanoseconds over which use is measured.
  static let window: Int64 = 100_000_000

  /// The share of one core the worker may use, in (0, 1].
  let share: Double
  private var startCPU: Int64?
  private var startWall: Int64 = 0

  /// A duty cycle allowing `share` of one core (clamped to 1 %…100 %).
  init(share: Double) {
    self.share = min(max(share.isNaN ? 1 : share, 0.01), 1)
  }

  /// How long to pause, in nanoseconds, after a batch when the thread has used `cpu`
  /// nanoseconds of CPU time by the clock reading `wall` (both monotonic).
  mutating func pause(cpu: Int64, wall: Int64) -> Int64 {
    guard share < 1 else { return 0 }
    guard let startCPU else {
      self.startCPU = cpu
      startWall = wall
      return 0
    }
    let used = cpu - startCPU
    let elapsed = wall - startWall
    let owed = max(0, Int64((Double(used) / share).rounded(.up)) - elapsed)
    if elapsed + owed >= Self.window {
      // The window ends once the pause is over: start the next one from there.
      self.startCPU = cpu
      startWall = wall + owed
    }
    return owed
  }
}
