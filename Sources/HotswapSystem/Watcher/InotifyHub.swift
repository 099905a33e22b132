import FoundationEssentials
import HotswapConfig
import Logging
import Synchronization
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The process-wide inotify instance shared by every ``ConfigWatcher``.
///
/// libinotifytools keeps global state, so there is exactly one: each watcher is a subscriber with
/// its own interests and stream, and directories several subscribers need are watched once. One
/// dedicated thread (not the Swift concurrency pool) sleeps in `poll` on the inotify descriptor and
/// a wake-up pipe, drains and coalesces events, and runs only while there are subscribers. Every
/// libinotifytools call happens under the lock; the thread never holds it while waiting.
final class InotifyHub: Sendable {
  /// The one instance.
  static let shared = InotifyHub()

  /// How long the thread waits for more events after draining a burst that ends mid-save (a
  /// delete or a create whose writer has not closed the file yet): the rest of the save arrives
  /// within it and becomes one emission. A burst that ends a save (a writer's close, a rename) is
  /// emitted at once (``SaveProgress``).
  static let settleTime = Duration.milliseconds(2)
  /// The longest a continuous stream of events is collected before emitting anyway.
  ///
  /// There is deliberately no minimum time between emissions: a save that follows another is
  /// reported as fast as the first (a deploy script's switch-then-canary). Coalescing where it
  /// saves work is the consumer's (the reconciler merges what arrives while it is busy).
  static let maximumBatchTime = Duration.milliseconds(50)
  /// The polling interval when the inotify descriptor could not be identified.
  static let fallbackPollInterval = Duration.milliseconds(5)
  /// The most events drained in one go before processing them.
  static let maximumDrain = 16_384

  let state = Mutex(HubState())

  /// Adds a subscriber for `configPath` and returns its id; starts the thread if needed.
  func subscribe(
    configPath: String,
    logger: Logger,
    continuation: AsyncStream<WatchEvent>.Continuation
  ) throws(WatcherError) -> UInt64 {
    let (id, startThread, wake) = try state.withLock { state throws(WatcherError) in
      try state.start()
      let id = state.nextID
      state.nextID += 1
      state.subscribers[id] = HubSubscriber(
        configPath: FilePath.absolute(configPath),
        continuation: continuation,
        logger: logger
      )
      let failures = state.resolveAndWatch([id: RoutedChanges(config: true)])
      if let failure = state.subscribers[id]?.interests.config.lazy.compactMap({ failures[$0.directory] })
        .first
      {
        state.subscribers[id] = nil
        _ = state.syncWatches()
        throw failure
      }
      state.scheduleRetries(failures: failures, now: .now)
      let startThread = !state.threadRunning
      state.threadRunning = true
      return (id, startThread, state.wake)
    }
    if startThread {
      let code = DetachedThread.start(name: "hotswap-inotify") { [self] in self.run() }
      if code != 0 {
        state.withLock { state in
          state.threadRunning = false
          state.subscribers[id] = nil
          _ = state.syncWatches()
        }
        throw WatcherError(
          .initializationFailed,
          "cannot start the watcher thread: \(WatcherError.describe(errno: code))",
          errno: code
        )
      }
    } else {
      wake?.wake()
    }
    return id
  }

  /// Replaces the model paths watched for subscriber `id`. The same set again changes nothing
  /// (the reconciler hands its set over after every pass: a save must not cost a re-resolution
  /// and a wake-up of the watcher thread each).
  func setModelPaths(_ paths: Set<String>, for id: UInt64) {
    let wake = state.withLock { state -> WakePipe? in
      guard let subscriber = state.subscribers[id] else { return nil }
      guard Set(subscriber.modelPaths.keys) != paths || subscriber.retryAt != nil else { return nil }
      state.subscribers[id]?.modelPaths = Dictionary(
        uniqueKeysWithValues: paths.map { ($0, FilePath.absolute($0)) }
      )
      state.subscribers[id]?.interests.models = [:]
      let failures = state.resolveAndWatch([id: RoutedChanges(models: paths)])
      state.scheduleRetries(failures: failures, now: .now)
      return state.wake
    }
    wake?.wake()
  }

  /// Removes subscriber `id` and its watches, and finishes its stream. Idempotent.
  func unsubscribe(_ id: UInt64) {
    let (continuation, wake) = state.withLock { state in
      let subscriber = state.subscribers.removeValue(forKey: id)
      if subscriber != nil { _ = state.syncWatches() }
      return (subscriber?.continuation, state.wake)
    }
    continuation?.finish()
    wake?.wake()
  }

  /// The thread's loop: wait, collect a coalesced batch, route it, emit; exit with no subscribers.
  private func run() {
    while true {
      let step = state.withLock {
        state -> (inotify: CInt?, wake: WakePipe?, deadline: ContinuousClock.Instant?)? in
        guard !state.subscribers.isEmpty else {
          state.threadRunning = false
          return nil
        }
        return (state.tools?.fileDescriptor, state.wake, state.subscribers.values.compactMap(\.retryAt).min())
      }
      guard let step else { return }
      var timeout = step.deadline.map { Self.milliseconds(until: $0) } ?? -1
      if step.inotify == nil {
        let interval = Self.milliseconds(Self.fallbackPollInterval)
        timeout = timeout < 0 ? interval : min(timeout, interval)
      }
      var descriptors = [
        pollfd(fd: step.wake?.readEnd ?? -1, events: Int16(POLLIN), revents: 0),
        pollfd(fd: step.inotify ?? -1, events: Int16(POLLIN), revents: 0),
      ]
      let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
      if ready < 0 && errno != EINTR {
        logger()?.warning("watcher poll failed: \(WatcherError.describe(errno: errno))")
        _ = poll(nil, 0, 100)
        continue
      }
      if descriptors[0].revents != 0 { step.wake?.drain() }
      let inotifyReady = step.inotify == nil || descriptors[1].revents != 0
      let events = inotifyReady ? collectBatch(inotify: step.inotify) : []
      state.withLock { _ = $0.process(events, now: .now) }
    }
  }

  /// Drains pending events; while they leave a save half done, keeps draining as long as more
  /// arrive within ``settleTime``, up to ``maximumBatchTime``, so the events of one save become
  /// one batch. A batch that ends every save it touched is returned at once.
  private func collectBatch(inotify: CInt?) -> [InotifyEvent] {
    var events = drain()
    guard !events.isEmpty else { return [] }
    var progress = SaveProgress()
    observe(events, into: &progress)
    let end = ContinuousClock.now + Self.maximumBatchTime
    while !progress.isSettled, ContinuousClock.now < end {
      let wait = min(Self.settleTime, end - .now)
      if let inotify {
        var descriptor = pollfd(fd: inotify, events: Int16(POLLIN), revents: 0)
        if poll(&descriptor, 1, Self.milliseconds(wait)) <= 0 { break }
      } else {
        _ = poll(nil, 0, Self.milliseconds(Self.settleTime))
      }
      let more = drain()
      if more.isEmpty { break }
      observe(more, into: &progress)
      events += more
    }
    return events
  }

  /// Feeds newly drained `events` to `progress` (see ``SaveProgress``).
  private func observe(_ events: [InotifyEvent], into progress: inout SaveProgress) {
    state.withLock { state in
      progress.observe(
        events,
        directories: { state.table.directories(for: $0) },
        interests: state.subscribers.values.map(\.interests)
      )
    }
  }

  /// Every event libinotifytools has ready now, without blocking.
  private func drain() -> [InotifyEvent] {
    state.withLock { state in
      guard let tools = state.tools else { return [] }
      var events: [InotifyEvent] = []
      do throws(WatcherError) {
        while events.count < Self.maximumDrain, let event = try tools.nextEvent() {
          events.append(event)
        }
      } catch {
        state.subscribers.values.first?.logger.warning("\(error.message)")
      }
      return events
    }
  }

  private func logger() -> Logger? {
    state.withLock { $0.subscribers.values.first?.logger }
  }

  private static func milliseconds(until deadline: ContinuousClock.Instant) -> CInt {
    milliseconds(deadline - .now)
  }

  /// `duration` in whole milliseconds for `poll`, rounded up, at least 0.
  private static func milliseconds(_ duration: Duration) -> CInt {
    guard duration > .zero else { return 0 }
    let (seconds, attoseconds) = duration.components
    return CInt(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
  }
}
