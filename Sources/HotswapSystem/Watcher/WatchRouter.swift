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
}
