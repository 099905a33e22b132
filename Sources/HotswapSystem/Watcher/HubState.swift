import Logging

/// Everything ``InotifyHub`` guards with its lock: the libinotifytools instance, the kernel
/// watches, the subscribers, and whether the thread runs.
struct HubState: Sendable {
  var tools: InotifyTools?
  var wake: WakePipe?
  var table = WatchTable()
  var subscribers: [UInt64: HubSubscriber] = [:]
  var nextID: UInt64 = 1
  var threadRunning = false

  /// Starts libinotifytools and the wake-up pipe the first time.
  mutating func start() throws(WatcherError) {
    if tools == nil { tools = try InotifyTools.initialize() }
    if wake == nil { wake = try WakePipe.open() }
  }

  /// Re-resolves the config chain (when `config`) and the chains of `models` for subscriber `id`.
  mutating func refresh(_ id: UInt64, config: Bool, models: Set<String>) {
    guard var subscriber = subscribers[id] else { return }
    let probe = LiveFileSystemProbe()
    if config {
      subscriber.interests.config = Set(SymlinkChain.resolve(subscriber.configPath, probe: probe).interests)
    }
    for path in models {
      guard let absolute = subscriber.modelPaths[path] else { continue }
      subscriber.interests.models[path] = Set(SymlinkChain.resolve(absolute, probe: probe).interests)
    }
    subscribers[id] = subscriber
  }

  /// Re-resolves the paths `work` names and watches what they depend on, repeating until a
  /// resolution made with the new watches in place agrees with the previous one: an entry that
  /// appeared between resolving and watching is then seen instead of missed.
  mutating func resolveAndWatch(_ work: [UInt64: RoutedChanges]) -> [String: WatcherError] {
    var failures: [String: WatcherError] = [:]
    for round in 0..<Self.maximumResolutionRounds {
      var changed = false
      for (id, routed) in work {
        let before = subscribers[id]?.interests
        refresh(id, config: routed.config, models: routed.models)
        changed = changed || subscribers[id]?.interests != before
      }
      if round > 0 && !changed { break }
      failures = syncWatches()
    }
    return failures
  }

  /// How often ``resolveAndWatch(_:)`` re-resolves before accepting the result.
  static let maximumResolutionRounds = 8

  /// Adds and removes kernel watches so that exactly the subscribers' directories are watched;
  /// returns the directories that could not be watched.
  mutating func syncWatches() -> [String: WatcherError] {
    guard let tools else { return [:] }
    var needed: Set<String> = []
    for subscriber in subscribers.values { needed.formUnion(subscriber.interests.directories) }
    let plan = table.plan(needed: needed)
    for descriptor in plan.remove {
      table.removed(descriptor, librarySucceeded: tools.removeWatch(descriptor))
    }
    var failures: [String: WatcherError] = [:]
    for directory in plan.add {
      let key = table.libraryKey(for: directory)
      do throws(WatcherError) {
        let descriptor = try tools.addWatch(directory: directory, key: key, mask: .directoryWatch)
        table.insert(directory: directory, descriptor: descriptor, key: key)
      } catch {
        failures[directory] = error
      }
    }
    return failures
  }

  /// Schedules a re-try with backoff for subscribers missing a watch, and clears it for the others.
  mutating func scheduleRetries(failures: [String: WatcherError], now: ContinuousClock.Instant) {
    let watched = table.watchedDirectories
    for id in subscribers.keys {
      guard var subscriber = subscribers[id] else { continue }
      let missing = subscriber.interests.directories.subtracting(watched)
      if missing.isEmpty {
        if subscriber.retryAt != nil {
          subscriber.logger.info(
            "watches re-established",
            metadata: ["watch.config": "\(subscriber.configPath)"]
          )
        }
        subscriber.retryAt = nil
        subscriber.backoff.reset()
      } else if subscriber.retryAt.map({ $0 <= now }) ?? true {
        let delay = subscriber.backoff.next()
        subscriber.retryAt = now + delay
        let reasons = missing.sorted().map { failures[$0]?.message ?? "cannot watch '\($0)'" }
        let level: Logger.Level = delay == RetryBackoff.initial ? .warning : .debug
        subscriber.logger.log(
          level: level,
          "watch missing, re-trying in \(delay): \(reasons.joined(separator: "; "))",
          metadata: ["watch.config": "\(subscriber.configPath)"]
        )
      }
      subscribers[id] = subscriber
    }
  }

  /// Routes a batch of events to the subscribers, re-resolves what changed, re-syncs the watches,
  /// runs due re-tries, then emits one coalesced set of events per subscriber.
  /// Returns whether anything was emitted.
  mutating func process(_ events: [InotifyEvent], now: ContinuousClock.Instant) -> Bool {
    var changes: [UInt64: RoutedChanges] = [:]
    for event in events {
      let directories = event.watchDescriptor >= 0 ? table.directories(for: event.watchDescriptor) : []
      guard !directories.isEmpty || event.mask.contains(.queueOverflow) else { continue }
      for (id, subscriber) in subscribers {
        let routed = WatchRouter.route(event, directories: directories, interests: subscriber.interests)
        if !routed.isEmpty { changes[id, default: RoutedChanges()].formUnion(routed) }
      }
      if event.name.isEmpty { forgetGoneWatch(event) }
    }
    let retries = dueRetries(now: now)
    guard !changes.isEmpty || !retries.isEmpty else { return false }
    var work = changes
    for (id, routed) in retries { work[id, default: RoutedChanges()].formUnion(routed) }
    let failures = resolveAndWatch(work)
    scheduleRetries(failures: failures, now: now)
    for (id, routed) in retries { changes[id, default: RoutedChanges()].formUnion(restored(routed, for: id)) }
    var emitted = false
    for id in changes.keys.sorted() {
      guard let subscriber = subscribers[id], let routed = changes[id] else { continue }
      for event in routed.events { subscriber.continuation.yield(event) }
      emitted = emitted || !routed.isEmpty
    }
    return emitted
  }

  /// For subscribers whose re-try is due: the config and models that depend on a missing watch.
  private func dueRetries(now: ContinuousClock.Instant) -> [UInt64: RoutedChanges] {
    let watched = table.watchedDirectories
    var result: [UInt64: RoutedChanges] = [:]
    for (id, subscriber) in subscribers where subscriber.retryAt.map({ $0 <= now }) ?? false {
      let interests = subscriber.interests
      result[id] = RoutedChanges(
        config: !interests.config.allSatisfy { watched.contains($0.directory) },
        models: Set(interests.models.filter { !$0.value.allSatisfy { watched.contains($0.directory) } }.keys)
      )
    }
    return result
  }

  /// The part of `routed` whose watches are all in place now: it is back, so it may have changed.
  private func restored(_ routed: RoutedChanges, for id: UInt64) -> RoutedChanges {
    guard let interests = subscribers[id]?.interests else { return RoutedChanges() }
    let watched = table.watchedDirectories
    return RoutedChanges(
      config: routed.config && interests.config.allSatisfy { watched.contains($0.directory) },
      models: routed.models.filter {
        interests.models[$0]?.allSatisfy { watched.contains($0.directory) } ?? false
      }
    )
  }

  /// Drops a watch whose directory was deleted, moved away or unmounted, so the next sync watches
  /// whatever now sits at the path.
  private mutating func forgetGoneWatch(_ event: InotifyEvent) {
    let descriptor = event.watchDescriptor
    if !event.mask.isDisjoint(with: [.ignored, .deleteSelf, .unmount]) {
      table.died(descriptor)
    } else if event.mask.contains(.moveSelf) {
      table.removed(descriptor, librarySucceeded: tools?.removeWatch(descriptor) ?? false)
    }
  }
}
