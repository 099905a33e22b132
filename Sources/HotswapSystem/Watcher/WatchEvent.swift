/// A change the watcher saw on disk, after coalescing a burst of inotify events.
///
/// Events say *something may have changed*: the consumer reads the file and compares it with what it
/// last applied, so a spurious event is harmless while a missed one would be a bug.
public enum WatchEvent: Sendable, Equatable, Hashable {
  /// Something in the config file's directory (or a symlink the path resolves through) that may
  /// affect the config file changed.
  case configChanged
  /// A watched model file may have new content; `path` is the path exactly as given to
  /// ``ConfigWatcher/setModelPaths(_:)``.
  case modelChanged(path: String)
}
