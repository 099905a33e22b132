import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The shadow's one thread: runs `step` (take a batch of copies off the ``ShadowQueue`` and
/// process them) until the queue is empty, then waits for the next push.
/// It runs under `SCHED_IDLE` (and nice 19, should that policy be refused): it gets a CPU only
/// when nothing else wants it, so on a busy box the live event loops always come first and the
/// shadow fills its queue (drops counted) instead of taking CPU from live requests. Measured with
/// nice 19 alone (bench/shadow, 2 cores, loaded): a fast iris shadow kept 20 % of the live
/// throughput, because a nice-19 thread still gets its share whenever the event loops wait.
/// `SCHED_IDLE` still lets it fill the short gaps in which an event loop waits for the network,
/// and each costs the loop a switch and its caches; ``ShadowDutyCycle`` keeps it under 3 % of one
/// core, so a slow shadow cannot keep a core busy (the copies it has no time for are dropped and
/// counted). Measured (bench/shadow, quiet, saturated): at a quarter of a core a shadow 80× slower
/// than the live model raised the live p99 by about 1 ms, above the plain server's range in three
/// runs of four; at 3 % it stayed inside it in three of three. 3 % still runs about 10 000 iris
/// copies a second.
///
/// Waking it costs the request path nothing while it is busy: after draining the queue it naps
/// in 1 ms steps for a while before it sleeps for real, and only a push that finds it asleep
/// signals its semaphore.
final class ShadowWorker: Sendable {
  /// How long the worker naps in 1 ms steps before it sleeps until signalled.
  static let napBudget = 50
  /// The share of one core the worker uses at most (see ``ShadowDutyCycle``).
  static let cpuShare = 0.03
  /// The nice value the worker runs at.
  static let niceness: CInt = 19
  /// `SCHED_IDLE` from linux/sched.h (Glibc exports it only under `_GNU_SOURCE`).
  static let idlePolicy: CInt = 5

  private let sleeping = Atomic<Bool>(false)
  private let stopped = Atomic<Bool>(false)
  private let wake = DispatchSemaphore(value: 0)
  private let cpuShare: Double

  private init(cpuShare: Double) {
    self.cpuShare = cpuShare
  }

  /// Starts the thread; `step` processes a batch of copies and returns false when the queue was
  /// empty.
  /// Returns nil when no thread could be started (then nothing is mirrored).
  static func start(
    name: String,
    cpuShare: Double = ShadowWorker.cpuShare,
    step: @escaping @Sendable () -> Bool
  ) -> ShadowWorker? {
    let worker = ShadowWorker(cpuShare: cpuShare)
    let context = Unmanaged.passRetained(Context(worker: worker, name: name, step: step)).toOpaque()
    var thread = pthread_t()
    guard pthread_create(&thread, nil, runShadowWorker, context) == 0 else {
      Unmanaged<Context>.fromOpaque(context).release()
      return nil
    }
    pthread_detach(thread)
    return worker
  }

  /// Called after a push: wakes the worker if it sleeps. A sequentially consistent fence orders
  /// the push before the look at `sleeping`, pairing with the worker's fence between announcing
  /// its sleep and its last look at the queue, so a push is never left unseen.
  @inline(__always)
  func notify() {
    atomicMemoryFence(ordering: .sequentiallyConsistent)
    guard sleeping.load(ordering: .relaxed) else { return }
    if sleeping.compareExchange(expected: true, desired: false, ordering: .relaxed).exchanged {
      wake.signal()
    }
  }

  /// Ends the thread after the copy it is running.
  func stop() {
    stopped.store(true, ordering: .relaxed)
    wake.signal()
  }

  private static func clock(_ id: clockid_t) -> Int64 {
    var time = timespec()
    clock_gettime(id, &time)
    return Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec)
  }

  fileprivate func loop(_ step: @Sendable () -> Bool) {
    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
    var parameters = sched_param()
    _ = sched_setscheduler(0, Self.idlePolicy, &parameters)
    var naps = 0
    var duty = ShadowDutyCycle(share: cpuShare)
    while !stopped.load(ordering: .relaxed) {
      if step() {
        naps = 0
        let owed = duty.pause(cpu: Self.clock(CLOCK_THREAD_CPUTIME_ID), wall: Self.clock(CLOCK_MONOTONIC))
        if owed > 0 {
          var pause = timespec(tv_sec: Int(owed / 1_000_000_000), tv_nsec: Int(owed % 1_000_000_000))
          nanosleep(&pause, nil)
        }
        continue
      }
      if naps < Self.napBudget {
        naps += 1
        var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
        nanosleep(&pause, nil)
        continue
      }
      sleeping.store(true, ordering: .relaxed)
      atomicMemoryFence(ordering: .sequentiallyConsistent)
      if step() {
        if !sleeping.compareExchange(expected: true, desired: false, ordering: .relaxed).exchanged {
          // A push already claimed the wake-up: take its signal so it does not linger.
          wake.wait()
        }
        naps = 0
        continue
      }
      // The timeout is a safety net only; pushes signal.
      _ = wake.wait(timeout: .now() + .milliseconds(500))
      sleeping.store(false, ordering: .relaxed)
      naps = 0
    }
  }
}

/// What the worker's thread runs.
private final class Context {
  let worker: ShadowWorker
  let name: String
  let step: @Sendable () -> Bool

  init(worker: ShadowWorker, name: String, step: @escaping @Sendable () -> Bool) {
    self.worker = worker
    self.name = name
    self.step = step
  }
}

private func runShadowWorker(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
  let context = Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue()
  let descriptor = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
  if descriptor >= 0 {
    let bytes = Array(context.name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
  }
  context.worker.loop(context.step)
  return nil
}
