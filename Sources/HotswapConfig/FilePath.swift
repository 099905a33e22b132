#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Lexical path handling for the config file: joins, never touches the file system's links.
enum FilePath {
  /// The absolute directory holding `file`, using the working directory for relative paths.
  static func directory(of file: String) -> String {
    let absolute = file.hasPrefix("/") ? file : join(currentDirectory(), file)
    guard let slash = absolute.lastIndex(of: "/") else { return "/" }
    let directory = String(absolute[..<slash])
    return directory.isEmpty ? "/" : directory
  }

  /// `path` if absolute, else `path` under `directory`; `.` parts and repeated slashes are dropped.
  /// `..` parts are kept: collapsing them would be wrong when a directory is a symlink.
  static func resolve(_ path: String, against directory: String) -> String {
    let joined = path.hasPrefix("/") ? path : join(directory, path)
    let parts = joined.split(separator: "/").filter { $0 != "." }
    return "/" + parts.joined(separator: "/")
  }

  private static func join(_ directory: String, _ path: String) -> String {
    directory.hasSuffix("/") ? directory + path : directory + "/" + path
  }

  private static func currentDirectory() -> String {
    guard let pointer = getcwd(nil, 0) else { return "/" }
    defer { free(pointer) }
    return String(cString: pointer)
  }
}
