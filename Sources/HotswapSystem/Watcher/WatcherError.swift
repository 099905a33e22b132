import CodedErrors

#if canImport(Glibc)
import Glibc
#endif

/// Why the watcher could not start or keep a watch, with what to do about it.
public struct WatcherError: CodedError {
  /// The kind of failure, stable for programs to match on.
  public enum Code: String, ErrorCode {
    /// The path given cannot name a file (empty, or a directory).
    case invalidPath = "invalid_path"
    /// `inotify_init` failed (for example the per-user instance limit is reached).
    case initializationFailed = "initialization_failed"
    /// Adding a watch failed (missing directory, permission, watch limit).
    case watchFailed = "watch_failed"
    /// The kernel's watch limit `fs.inotify.max_user_watches` is reached.
    case watchLimitReached = "watch_limit_reached"
  }

  /// The kind of failure.
  public let code: Code
  /// A sentence a user can act on: what failed, the system's reason, and what to do.
  public let message: String
  /// The `errno` value behind the failure, when there is one.
  public let errno: CInt?

  /// Creates an error from its parts.
  public init(_ code: Code, _ message: String, errno: CInt? = nil) {
    self.code = code
    self.message = message
    self.errno = errno
  }

  /// The error for a path that cannot name a config or model file.
  static func invalidPath(_ path: String, reason: String) -> WatcherError {
    WatcherError(.invalidPath, "cannot watch '\(path)': \(reason)")
  }

  /// The error for a failed `inotify_init`.
  static func initialization(errno code: CInt, maxUserInstances: Int?) -> WatcherError {
    var message = "cannot start inotify: \(Self.describe(errno: code))"
    if code == EMFILE {
      let limit = maxUserInstances.map { " (currently \($0))" } ?? ""
      message +=
        "; the per-user inotify instance limit fs.inotify.max_user_instances\(limit) is reached:"
        + " raise it with `sysctl -w fs.inotify.max_user_instances=1024` and persist it in /etc/sysctl.d/"
    }
    return WatcherError(.initializationFailed, message, errno: code)
  }

  /// The error for a failed `inotify_add_watch` on `directory`.
  static func watch(directory: String, errno code: CInt, maxUserWatches: Int?) -> WatcherError {
    let prefix = "cannot watch directory '\(directory)': \(Self.describe(errno: code))"
    switch code {
    case ENOSPC:
      let limit = maxUserWatches.map { " (currently \($0))" } ?? ""
      return WatcherError(
        .watchLimitReached,
        prefix
          + "; the inotify watch limit fs.inotify.max_user_watches\(limit) is reached:"
          + " raise it with `sysctl -w fs.inotify.max_user_watches=524288` and persist it in /etc/sysctl.d/",
        errno: code
      )
    case ENOENT:
      return WatcherError(
        .watchFailed,
        prefix + "; create the directory or fix the path",
        errno: code
      )
    case EACCES, EPERM:
      return WatcherError(
        .watchFailed,
        prefix + "; give the service's user read access to the directory",
        errno: code
      )
    case ENOTDIR:
      return WatcherError(
        .watchFailed,
        prefix + "; a path component is a file, not a directory",
        errno: code
      )
    default:
      return WatcherError(.watchFailed, prefix, errno: code)
    }
  }

  /// The system's text for an `errno` value, with its symbolic number.
  static func describe(errno code: CInt) -> String {
    guard code != 0 else { return "unknown error (the library reported no errno)" }
    return "\(String(cString: strerror(code))) (errno \(code))"
  }
}
