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
/// the sample) and, when it returns a slot and the queue has room, builds a ``ShadowJob`` (a
/// value, no allocation) and ``offer(_:settings:)``s it (a few atomics; a full queue or byte
/// budget drops the copy and counts it). The worker takes the copies off in batches and writes
/// the statistics and the metrics once per batch. The server keeps the mirror in step with the
/// served snapshot through ``update(_:now:)``.
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
  /// The target the worker counts for; read once per batch by the worker only.
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

  /// Whether the queue has room for one more copy under `settings` (a moment's look: ``offer``
  /// decides). Lets the request path drop a copy before it builds it.
  @inline(__always)
  func hasRoom(_ settings: ShadowSettings) -> Bool {
    depth.load(ordering: .relaxed) < settings.queue
  }

  /// Queues `job` for the shadow, or drops and counts it when the queue or its byte budget is
  /// full (`settings`: the shadow's settings when the request was served). Never waits, never
  /// allocates: the job is moved into a cell of the queue.
  public func offer(_ job: consuming ShadowJob, settings: ShadowSettings) {
    guard let lane = lane.load() else {
      statistics.countDrop()
      return
    }
    let queue = lane.queue
    let limit = min(settings.queue, queue.capacity)
    guard depth.add(1, ordering: .relaxed).newValue <= limit else {
      depth.subtract(1, ordering: .relaxed)
      statistics.countDrop()
      return
    }
    let bytes = job.estimatedBytes
    guard queuedBytes.add(bytes, ordering: .relaxed).newValue <= settings.maxQueueBytes else {
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

  /// Takes up to ``ShadowBatch/limit`` copies off the queue and runs them, then writes the
  /// statistics and the metrics once for all of them; false when the queue was empty.
  func step() -> Bool {
    guard let queue = lane.load()?.queue, var job = queue.pop() else { return false }
    // A copy made for a shadow that has since changed is not counted for the new one.
    let target = current.withLock { $0 }
    var accepted: ObjectIdentifier? = nil
    var batch = ShadowBatch(slot: target?.slot ?? job.shadowSlot)
    var taken = 0
    var bytes = 0
    while true {
      taken += 1
      bytes += job.estimatedBytes
      if job.isFor(target, accepted: &accepted) { run(job, into: &batch) }
      guard taken < ShadowBatch.limit, let next = queue.pop() else { break }
      job = next
    }
    depth.subtract(taken, ordering: .relaxed)
    queuedBytes.subtract(bytes, ordering: .relaxed)
    statistics.record(batch)
    observer?.shadowRan(batch)
    return true
  }

  private func run(_ job: ShadowJob, into batch: inout ShadowBatch) {
    let started = ContinuousClock.now
    let outcome = ShadowExecution(tolerance: job.tolerance).run(job)
    let elapsed = ContinuousClock.now - started
    switch outcome {
    case .failed(let message):
      batch.failed(message)
    case .compared(let rows):
      batch.compared(rows.lazy.map(\.comparison), shadow: elapsed, live: job.liveLatency)
      if job.records {
        for row in rows where !row.comparison.agrees {
          sample.add(DisagreementRecord(job: job, row: row))
        }
      }
    }
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
