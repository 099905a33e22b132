import Dispatch
import FoundationEssentials
import HotswapConfig
import Logging
import Synchronization

/// Shadow traffic: takes a copy of each eligible served prediction (unpinned, answered by another
/// slot, sampled), queues it without a lock, and runs it on the shadow slot's model on its own
/// low-priority thread, comparing the answers. The live answer is always sent before the copy is
/// offered, and nothing the shadow does reaches a live response.
///
/// The request path calls ``shadowSlot(for:answeredBy:pinned:)`` (no lock, one atomic add for
/// the sample) and, when it returns a slot, builds a ``ShadowJob`` and ``offer(_:)``s it (a few
/// atomics; a full queue or byte budget drops the copy and counts it). The server keeps the
/// mirror in step with the served snapshot through ``update(_:now:)``.
public final class ShadowMirror: Sendable {
  struct State {
    var target: ShadowTarget?
    var settings: ShadowSettings?
    var beganAt: Date?
    var restored = false
    var note: String?
    var lastSaved: ShadowSummary?
  }

  /// The shadow's numbers.
  public let statistics: ShadowStatistics
  /// The disagreement sample.
  public let sample: DisagreementSample
  let stateFile: ShadowStateFile?
  let logger: Logger
  private let observer: (any ShadowObserver)?
  let lane = AtomicLazyReference<ShadowLane>()
  let depth = Atomic<Int>(0)
  let queuedBytes = Atomic<Int>(0)
  /// Writes the state file and the sample, in order, off every caller's thread.
  let files = DispatchQueue(label: "hotswap.shadow-files")
  private let position = Atomic<UInt64>(0)
  private let persistPending = Atomic<Bool>(false)
  /// The target the worker counts for; read once per copy by the worker only.
  private let current = Mutex<ShadowTarget?>(nil)
  private let state = Mutex(State())

  /// Creates a mirror keeping its files in `stateDirectory` (nil: nothing survives a restart and
  /// no disagreement is written); `observer` hears of every copy run (the metrics).
  public init(
    stateDirectory: String?,
    statistics: ShadowStatistics = ShadowStatistics(),
    observer: (any ShadowObserver)? = nil,
    logger: Logger
  ) {
    self.statistics = statistics
    self.observer = observer
    self.logger = logger
    var file: ShadowStateFile? = nil
    if let stateDirectory { file = try? ShadowStateFile(directory: stateDirectory) }
    stateFile = file
    sample = DisagreementSample(directory: file == nil ? nil : stateDirectory)
  }

  // MARK: The request path

  /// The shadow slot to copy this request to, or nil: the snapshot shadows no loaded slot, the
  /// request was pinned or answered by the shadow itself, or the sample passes it by. Lock-free.
  @inline(__always)
  public func shadowSlot(for snapshot: Snapshot, answeredBy slot: String, pinned: Bool) -> ServingSlot? {
    guard let settings = snapshot.plan.shadow, !pinned, slot != settings.slot else { return nil }
    guard let shadow = snapshot.slot(named: settings.slot) else { return nil }
    guard settings.samplePercent < 100 else { return shadow }
    return ShadowSampler.takes(position.add(1, ordering: .relaxed).oldValue, percent: settings.samplePercent)
      ? shadow : nil
  }

  /// Queues `job` for the shadow, or drops and counts it when the queue or its byte budget is
  /// full. Never waits.
  public func offer(_ job: ShadowJob) {
    guard let lane = lane.load() else {
      statistics.countDrop()
      return
    }
    let queue = lane.queue
    let limit = min(job.settings.queue, queue.capacity)
    guard depth.add(1, ordering: .relaxed).newValue <= limit else {
      depth.subtract(1, ordering: .relaxed)
      statistics.countDrop()
      return
    }
    let bytes = job.estimatedBytes
    guard queuedBytes.add(bytes, ordering: .relaxed).newValue <= job.settings.maxQueueBytes else {
      queuedBytes.subtract(bytes, ordering: .relaxed)
      depth.subtract(1, ordering: .relaxed)
      statistics.countDrop()
      return
    }
    guard queue.push(job) else {
      queuedBytes.subtract(bytes, ordering: .relaxed)
      depth.subtract(1, ordering: .relaxed)
      statistics.countDrop()
      return
    }
    lane.worker.notify()
  }

  // MARK: State

  func withState<Result>(_ body: (inout State) -> Result) -> Result {
    state.withLock { body(&$0) }
  }

  func setCurrent(_ target: ShadowTarget?) {
    current.withLock { $0 = target }
  }

  /// True when no persist is waiting (and one now is).
  func claimPersist() -> Bool {
    persistPending.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
  }

  func releasePersist() {
    persistPending.store(false, ordering: .releasing)
  }

  // MARK: The worker

  /// Takes one copy off the queue and runs it; false when the queue was empty.
  func step() -> Bool {
    guard let job = lane.load()?.queue.pop() else { return false }
    depth.subtract(1, ordering: .relaxed)
    queuedBytes.subtract(job.estimatedBytes, ordering: .relaxed)
    // A copy made for a shadow that has since changed is not counted for the new one.
    guard current.withLock({ $0 }) == job.target else { return true }
    let started = ContinuousClock.now
    let outcome = ShadowExecution(tolerance: job.settings.tolerance).run(job)
    let elapsed = ContinuousClock.now - started
    switch outcome {
    case .failed(let message):
      statistics.recordError(message)
      observer?.shadowFailed(slot: job.shadow.name)
    case .compared(let rows):
      let comparisons = rows.map(\.comparison)
      statistics.recordCompared(comparisons, shadow: elapsed, live: job.liveLatency)
      observer?.shadowCompared(slot: job.shadow.name, comparisons: comparisons, duration: elapsed)
      if job.settings.record > 0 {
        for row in rows where !row.comparison.agrees {
          sample.add(DisagreementRecord(job: job, row: row))
        }
      }
    }
    return true
  }
}

/// The queue and the thread that drains it, made once, when the first shadow begins.
final class ShadowLane: Sendable {
  /// The copies waiting.
  let queue: ShadowQueue<ShadowJob>
  /// The thread running them.
  let worker: ShadowWorker

  init(queue: ShadowQueue<ShadowJob>, worker: ShadowWorker) {
    self.queue = queue
    self.worker = worker
  }
}
