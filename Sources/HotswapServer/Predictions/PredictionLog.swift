import Dispatch
import FoundationEssentials
import HotswapConfig
import HotswapCore
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The prediction log: one JSON line per sampled served prediction, on every protocol, in
/// `predictions.jsonl` in the state directory, rotated to `predictions.jsonl.1` at
/// `[prediction_log] max_bytes` (so it never takes more than twice that on disk).
///
/// The request path decides the sample with one atomic increment, trims what it keeps (see
/// ``PredictionLogEntry``) and pushes it on a lock-free bounded queue; a full queue, or one
/// holding more than ``memoryBudget`` bytes, drops the line and counts it. A writer on its own
/// queue formats and appends what accumulated every ``flushInterval``, in one write, without
/// fsync: a prediction log is for looking at what the models answered, not a ledger.
public final class PredictionLog: PredictionConsumer {
  /// The file's name in the state directory.
  public static let fileName = "predictions.jsonl"
  /// The most lines waiting for the writer.
  public static let queueCapacity = 16_384
  /// The most memory waiting lines may hold, roughly.
  public static let memoryBudget = 16 << 20
  /// How often the writer appends what accumulated.
  public static let flushInterval = DispatchTimeInterval.milliseconds(100)

  /// Lines written, dropped and lost to write errors since the server started.
  public struct Counts: Sendable, Equatable {
    /// Lines appended to the file.
    public var written: UInt64
    /// Lines dropped because the queue was full or over its memory budget.
    public var dropped: UInt64
    /// Lines lost because the file could not be written.
    public var failed: UInt64
  }

  /// The current file.
  public let path: String
  /// The previous file, kept after a rotation.
  public let rotatedPath: String
  private let store: SnapshotStore
  private let logger: Logger
  private let entries = ShadowQueue<PredictionLogEntry>(capacity: queueCapacity)
  private let pendingBytes = Atomic<Int>(0)
  private let position = Atomic<UInt64>(0)
  private let written = Atomic<UInt64>(0)
  private let dropped = Atomic<UInt64>(0)
  private let failed = Atomic<UInt64>(0)
  private let writer = DispatchQueue(label: "hotswap.prediction-log", qos: .utility)
  private let stopped = Atomic<Bool>(false)
  private let lastErrorReport = Mutex<ContinuousClock.Instant?>(nil)

  /// A log in `directory` that reads its settings from the snapshots in `store`.
  public init(directory: String, store: SnapshotStore, logger: Logger) {
    path = directory.hasSuffix("/") ? directory + Self.fileName : directory + "/" + Self.fileName
    rotatedPath = path + ".1"
    self.store = store
    self.logger = logger
    scheduleDrain()
  }

  private func scheduleDrain() {
    writer.asyncAfter(deadline: .now() + Self.flushInterval) { [weak self] in
      guard let self, !self.stopped.load(ordering: .relaxed) else { return }
      self.drain()
      self.scheduleDrain()
    }
  }

  /// Takes the request when the snapshot's `[prediction_log] sample` says so.
  @inline(__always)
  public func takes(_ request: PredictionRequest) -> Bool {
    let sample = request.snapshot.plan.predictionLog.sample
    guard sample > 0 else { return false }
    guard sample < 1 else { return true }
    return EvenSample.takes(position.add(1, ordering: .relaxed).oldValue, fraction: sample)
  }

  /// Queues the line, or counts it dropped.
  public func receive(_ prediction: ServedPrediction) {
    let inputs = prediction.snapshot.plan.predictionLog.inputs
    let entry = PredictionLogEntry(prediction, inputs: inputs)
    let size = entry.estimatedBytes
    let before = pendingBytes.add(size, ordering: .relaxed).oldValue
    guard before + size <= Self.memoryBudget, entries.push(entry) else {
      pendingBytes.subtract(size, ordering: .relaxed)
      dropped.add(1, ordering: .relaxed)
      return
    }
  }

  /// The counts so far.
  public var counts: Counts {
    Counts(
      written: written.load(ordering: .relaxed),
      dropped: dropped.load(ordering: .relaxed),
      failed: failed.load(ordering: .relaxed)
    )
  }

  /// Writes every queued line now and returns when they are in the file.
  public func flush() {
    writer.sync { drain() }
  }

  /// How long ``close()`` waits for the last lines to be written.
  public static let closeTimeout = DispatchTimeInterval.seconds(2)

  /// Stops the periodic writer after writing what is queued — or, when the file system does not
  /// take them within ``closeTimeout``, without them: shutting down never waits on a stuck disk.
  public func close() {
    stopped.store(true, ordering: .relaxed)
    let done = DispatchSemaphore(value: 0)
    writer.async {
      self.drain()
      done.signal()
    }
    if done.wait(timeout: .now() + Self.closeTimeout) == .timedOut {
      logger.warning(
        "prediction log: the last lines were not written within 2 s; stopping without them",
        metadata: ["file": "\(path)"]
      )
    }
  }

  private func drain() {
    var buffer: [UInt8] = []
    var freed = 0
    while let entry = entries.pop() {
      freed += entry.estimatedBytes
      PredictionLogLine.append(entry, to: &buffer)
      if buffer.count >= 1 << 20 { write(&buffer) }
    }
    pendingBytes.subtract(freed, ordering: .relaxed)
    if !buffer.isEmpty { write(&buffer) }
  }

  /// Appends whole lines, rotating first whenever the next lines would take the file past
  /// `max_bytes`: a file holds at most `max_bytes`, or a single line that alone is larger.
  private func write(_ buffer: inout [UInt8]) {
    let maxBytes = store.snapshot?.plan.predictionLog.maxBytes ?? PredictionLogSettings.defaultMaxBytes
    var start = 0
    var size = 0
    do throws(FileError) {
      while start < buffer.count {
        size = (try? FileAttributes.ofLink(path: path).size) ?? 0
        var end = buffer.count
        if size + (end - start) > maxBytes {
          let room = max(0, maxBytes - size)
          let fits = buffer[start..<(start + min(room, end - start))].lastIndex(of: UInt8(ascii: "\n"))
          if let fits {
            end = fits + 1
          } else if size > 0 {
            try AtomicFile.move(path, to: rotatedPath)
            continue
          } else {
            end = (buffer[start...].firstIndex(of: UInt8(ascii: "\n")) ?? (buffer.count - 1)) + 1
          }
        }
        try AtomicFile.append(Array(buffer[start..<end]), to: path, mode: 0o640, durable: false)
        written.add(UInt64(buffer[start..<end].count { $0 == UInt8(ascii: "\n") }), ordering: .relaxed)
        start = end
      }
    } catch {
      // A write cut short (a full disk) may have left part of a line: cut the file back to the
      // size it had, so every line in it stays whole and the counts stay true.
      Self.cutBack(path, to: size)
      failed.add(UInt64(buffer[start...].count { $0 == UInt8(ascii: "\n") }), ordering: .relaxed)
      report(error)
    }
    buffer.removeAll(keepingCapacity: buffer.count <= 1 << 16)
  }

  /// Truncates the regular file at `path` (never through a link) to `size` if it is longer.
  private static func cutBack(_ path: String, to size: Int) {
    let descriptor = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
    guard descriptor >= 0 else { return }
    defer { _ = Glibc.close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, Int(status.st_size) > size
    else {
      return
    }
    _ = ftruncate(descriptor, off_t(size))
  }

  /// Logs a write error at most once a minute.
  private func report(_ error: FileError) {
    let now = ContinuousClock.now
    let due = lastErrorReport.withLock { last -> Bool in
      guard last.map({ now - $0 >= .seconds(60) }) ?? true else { return false }
      last = now
      return true
    }
    guard due else { return }
    logger.warning(
      "prediction log not written; its lines are dropped until it can be",
      metadata: ["file": "\(path)", "error": "\(error)"]
    )
  }
}
