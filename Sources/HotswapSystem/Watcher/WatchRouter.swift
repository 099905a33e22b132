/// What one subscriber wants to hear about: the config path's chain and each model path's chain.
struct SubscriberInterests: Equatable, Sendable {
  /// Entries the config file's content depends on.
  var config: Set<WatchInterest> = []
  /// Entries each model file depends on, keyed by the model path as the caller gave it.
  var models: [String: Set<WatchInterest>] = [:]

  /// Every directory these interests need watched.
  var directories: Set<String> {
    var result = Set(config.map(\.directory))
    for interests in models.values { result.formUnion(interests.map(\.directory)) }
    return result
  }
}

/// The changes a batch of events means for one subscriber, before coalescing into ``WatchEvent``s.
struct RoutedChanges: Equatable, Sendable {
  /// The config file may have changed.
  var config = false
  /// These model paths (as given) may have changed.
  var models: Set<String> = []

  /// Nothing changed.
  var isEmpty: Bool { !config && models.isEmpty }

  /// Adds `other`'s changes to these.
  mutating func formUnion(_ other: RoutedChanges) {
    config = config || other.config
    models.formUnion(other.models)
  }

  /// The events to emit, config first, then models in path order (so output is deterministic).
  var events: [WatchEvent] {
    (config ? [WatchEvent.configChanged] : []) + models.sorted().map { WatchEvent.modelChanged(path: $0) }
  }
}

/// Decides which subscriber changes one inotify event stands for. Pure: no I/O.
enum WatchRouter {
  /// The changes `event`, seen on a watch covering `directories`, means for `interests`.
  static func route(
    _ event: InotifyEvent,
    directories: Set<String>,
    interests: SubscriberInterests
  ) -> RoutedChanges {
    if event.mask.contains(.queueOverflow) {
      // Events were lost: everything may have changed.
      return RoutedChanges(config: true, models: Set(interests.models.keys))
    }
    if event.name.isEmpty {
      guard !event.mask.isDisjoint(with: .directoryGone) else { return RoutedChanges() }
      return RoutedChanges(
        config: interests.config.contains { directories.contains($0.directory) },
        models: Set(
          interests.models.filter { $0.value.contains { directories.contains($0.directory) } }.keys
        )
      )
    }
    var changes = RoutedChanges()
    for directory in directories {
      let entry = WatchInterest(directory: directory, name: event.name)
      if !event.mask.isDisjoint(with: .configEntry), interests.config.contains(entry) {
        changes.config = true
      }
      if !event.mask.isDisjoint(with: .modelEntry) {
        for (path, entries) in interests.models where entries.contains(entry) {
          changes.models.insert(path)
        }
      }
    }
    return changes
  }

  /// Whether a batch of events leaves every entry it touched in a finished state (see
  /// ``SaveProgress``).
  static func isSettled(
    _ events: [InotifyEvent],
    directories: (CInt) -> Set<String>,
    interests: [SubscriberInterests]
  ) -> Bool {
    var progress = SaveProgress()
    progress.observe(events, directories: directories, interests: interests)
    return progress.isSettled
  }
}

/// How a batch being collected leaves the watched entries, fed event by event as they are drained
/// (so a long burst is looked at once, not again with every drain).
///
/// An entry's last event decides: `IN_CLOSE_WRITE` (a writer closed the file), `IN_MOVED_TO` (an
/// atomic rename, a ConfigMap's `..data` swap) and `IN_ATTRIB` end a save; `IN_DELETE`,
/// `IN_CREATE` and `IN_MOVED_FROM` are its first half (a create is followed by the writer's
/// close, a delete or a move away usually by the new file), as is a watched directory going
/// away. Events on entries nobody is interested in decide nothing; a queue overflow is final.
struct SaveProgress: Sendable {
  private var last: [WatchInterest: InotifyMask] = [:]
  private var directoryGone = false
  private var overflowed = false

  /// Takes `events` (in order) into account.
  mutating func observe(
    _ events: [InotifyEvent],
    directories: (CInt) -> Set<String>,
    interests: [SubscriberInterests]
  ) {
    for event in events {
      if event.mask.contains(.queueOverflow) { overflowed = true }
      let watched = directories(event.watchDescriptor)
      if event.name.isEmpty {
        if !event.mask.isDisjoint(with: .directoryGone),
          interests.contains(where: { !$0.directories.isDisjoint(with: watched) })
        {
          directoryGone = true
        }
        continue
      }
      for directory in watched {
        let entry = WatchInterest(directory: directory, name: event.name)
        let relevant = interests.contains { subscriber in
          subscriber.config.contains(entry) || subscriber.models.values.contains { $0.contains(entry) }
        }
        if relevant { last[entry] = event.mask }
      }
    }
  }

  /// Whether every save seen has ended, so the batch can be emitted without waiting.
  var isSettled: Bool {
    if overflowed { return true }
    if directoryGone { return false }
    return last.values.allSatisfy { !$0.isDisjoint(with: .endsSave) }
  }
}
