import HotswapSystem

/// Consumes a watcher's stream like the core does — reading the config file at each
/// `.configChanged` — and lets tests await a condition with a deadline instead of sleeping.
actor EventRecorder {
  /// One received event.
  struct Record: Sendable {
    /// The event.
    let event: WatchEvent
    /// When the consumer received it.
    let receivedAt: ContinuousClock.Instant
    /// The config file's content read right then (for `.configChanged`), `nil` if unreadable.
    let content: String?
  }

  private struct Waiter {
    let predicate: @Sendable ([Record], Bool) -> Bool
    let continuation: CheckedContinuation<Bool, Never>
  }

  /// Everything received so far.
  private(set) var records: [Record] = []
  /// The stream has finished.
  private(set) var finished = false
  private var waiters: [Int: Waiter] = [:]
  private var nextWaiter = 0

  /// The `.configChanged` records.
  var configRecords: [Record] { records.filter { $0.event == .configChanged } }

  /// Starts consuming `watcher.events`; reads `configPath` at each `.configChanged`.
  static func start(_ watcher: ConfigWatcher, configPath: String?) -> EventRecorder {
    let recorder = EventRecorder()
    let events = watcher.events
    Task.detached {
      for await event in events {
        let content = event == .configChanged ? configPath.flatMap(FileWrites.read) : nil
        await recorder.append(Record(event: event, receivedAt: .now, content: content))
      }
      await recorder.finish()
    }
    return recorder
  }

  /// Waits until `predicate(records, finished)` holds; `false` when `timeout` passes first.
  func wait(
    timeout: Duration = .seconds(10),
    until predicate: @escaping @Sendable ([Record], Bool) -> Bool
  ) async -> Bool {
    if predicate(records, finished) { return true }
    let id = nextWaiter
    nextWaiter += 1
    let timer = Task {
      try? await Task.sleep(for: timeout)
      self.expire(id)
    }
    defer { timer.cancel() }
    return await withCheckedContinuation { continuation in
      waiters[id] = Waiter(predicate: predicate, continuation: continuation)
    }
  }

  private func append(_ record: Record) {
    records.append(record)
    resumeSatisfied()
  }

  private func finish() {
    finished = true
    resumeSatisfied()
  }

  private func expire(_ id: Int) {
    waiters.removeValue(forKey: id)?.continuation.resume(returning: false)
  }

  private func resumeSatisfied() {
    for (id, waiter) in waiters where waiter.predicate(records, finished) {
      waiters[id] = nil
      waiter.continuation.resume(returning: true)
    }
  }
}
