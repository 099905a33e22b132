import Logging

/// Watches the config file's directory (and every symlink its path resolves through, as in a
/// Kubernetes ConfigMap volume) and the model files in use, and reports coalesced changes.
///
/// All watchers in a process share one libinotifytools instance and one watcher thread
/// (``InotifyHub``); a second watcher is cheap and independent. Create the watcher *before* reading
/// the config file for the first time, so no change falls between the read and the watch.
public final class ConfigWatcher: Sendable {
  /// The coalesced changes, for a single consumer; finishes after ``stop()``.
  public let events: AsyncStream<WatchEvent>
  /// The config path as given.
  public let configPath: String

  private let id: UInt64
  private let hub: InotifyHub

  /// Starts watching `configPath`'s directory.
  ///
  /// - Throws: ``WatcherError`` when the path cannot name a file, inotify cannot start
  ///   (`fs.inotify.max_user_instances`), or the directory cannot be watched (permissions,
  ///   `fs.inotify.max_user_watches`). A directory that does not exist yet is not an error: its
  ///   parent is watched until it appears.
  public init(configPath: String, logger: Logger) throws(WatcherError) {
    try Self.validate(configPath)
    let (events, continuation) = AsyncStream.makeStream(of: WatchEvent.self, bufferingPolicy: .unbounded)
    let hub = InotifyHub.shared
    let id = try hub.subscribe(configPath: configPath, logger: logger, continuation: continuation)
    continuation.onTermination = { [hub] _ in hub.unsubscribe(id) }
    self.events = events
    self.configPath = configPath
    self.id = id
    self.hub = hub
  }

  deinit {
    hub.unsubscribe(id)
  }

  /// Replaces the set of model files watched; events for files no longer in the set stop at once.
  /// A file whose directory cannot be watched yet is re-tried with backoff (and logged).
  public func setModelPaths(_ paths: Set<String>) {
    hub.setModelPaths(paths, for: id)
  }

  /// Ends the stream and removes this watcher's watches; the thread exits when no watcher is
  /// left. Idempotent.
  public func stop() {
    hub.unsubscribe(id)
  }

  private static func validate(_ path: String) throws(WatcherError) {
    if path.isEmpty { throw .invalidPath(path, reason: "the path is empty") }
    if path.utf8.contains(0) { throw .invalidPath(path, reason: "the path contains a NUL byte") }
    if path.hasSuffix("/") { throw .invalidPath(path, reason: "the path names a directory, not a file") }
    let last = path.split(separator: "/").last.map(String.init) ?? ""
    if last == "." || last == ".." {
      throw .invalidPath(path, reason: "the path names a directory, not a file")
    }
  }
}
