#if canImport(Glibc)
import Glibc
#endif

/// Why a file could not be read or written: the path, what went wrong in words a user can act on,
/// and the `errno` behind it when there is one.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file.
  public let path: String
  /// What is wrong, without the path, worded so that it follows the file's name: "is a FIFO (named
  /// pipe), not a regular file", "cannot be opened: Permission denied (EACCES)".
  public let reason: String
  /// The system error, when a call failed.
  public let errno: Int32?

  /// Creates an error.
  public init(path: String, reason: String, errno: Int32? = nil) {
    self.path = path
    self.reason = reason
    self.errno = errno
  }

  /// "path: reason".
  public var description: String { "\(path): \(reason)" }

  /// An error for a failed system call, worded as what the file cannot be: "cannot be opened:
  /// Permission denied (EACCES)".
  static func system(_ path: String, _ action: String, errno code: Int32) -> FileError {
    FileError(path: path, reason: "\(action): \(describe(errno: code))", errno: code)
  }

  /// As ``system(_:_:errno:)``, but a file looked up that is missing simply "does not exist".
  static func lookup(_ path: String, _ action: String, errno code: Int32) -> FileError {
    code == ENOENT
      ? FileError(path: path, reason: "does not exist", errno: code) : system(path, action, errno: code)
  }

  /// `strerror` plus the symbolic name for the codes users meet.
  static func describe(errno code: Int32) -> String {
    let names: [Int32: String] = [
      ENOENT: "ENOENT", EACCES: "EACCES", EPERM: "EPERM", ENOTDIR: "ENOTDIR", ELOOP: "ELOOP",
      ENAMETOOLONG: "ENAMETOOLONG", EISDIR: "EISDIR", ENOSPC: "ENOSPC", EROFS: "EROFS", EIO: "EIO",
      EMFILE: "EMFILE", ENFILE: "ENFILE", EDQUOT: "EDQUOT", EXDEV: "EXDEV",
    ]
    let text = String(cString: strerror(code))
    return names[code].map { "\(text) (\($0))" } ?? "\(text) (errno \(code))"
  }
}
