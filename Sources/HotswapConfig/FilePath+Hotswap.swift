import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The one path helper: swift-system's `FilePath`, with the two operations the config, the state
/// directory and the watcher need. Both are lexical — they never touch the file system except to
/// read the working directory — and neither collapses `..`: with a symbolic link in the path,
/// `a/link/..` is not `a`, and only the kernel knows what it is.
extension FilePath {
  /// `path` under `directory` (unless already absolute), without `.` components; `..` is kept.
  public static func resolving(_ path: String, against directory: String) -> String {
    let joined = FilePath(directory).pushing(FilePath(path))
    var result = FilePath(root: joined.root, joined.components.filter { $0.kind != .currentDirectory })
    if result.isEmpty { result = FilePath(".") }
    return result.string
  }

  /// `path` made absolute against the working directory, without `.` components.
  public static func absolute(_ path: String) -> String {
    resolving(path, against: currentDirectory())
  }

  /// The working directory (`/` when it cannot be read).
  public static func currentDirectory() -> String {
    guard let pointer = getcwd(nil, 0) else { return "/" }
    defer { free(pointer) }
    return String(cString: pointer)
  }

  /// The directory of `file`, absolute.
  public static func directory(of file: String) -> String {
    FilePath(absolute(file)).removingLastComponent().string
  }

  /// `directory` + `name`.
  public static func appending(_ name: String, to directory: String) -> String {
    FilePath(directory).appending(name).string
  }
}
