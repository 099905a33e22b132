#if canImport(Glibc)
import Glibc
#endif

/// What `lstat` says about one path, as far as the watcher cares.
enum FileKind: Equatable, Sendable {
  /// Nothing there (or not reachable).
  case missing
  /// A symbolic link with its target text.
  case symlink(target: String)
  /// A directory.
  case directory
  /// A regular file or anything else that is not a directory or a symlink.
  case file
}

/// Looks at the file system without following the last symlink; injected so path resolution stays
/// pure and testable.
protocol FileSystemProbe {
  /// The kind of the entry at `path` (an absolute path whose parent contains no symlinks).
  func kind(of path: String) -> FileKind
}

/// The real file system, through `lstat` and `readlink`.
struct LiveFileSystemProbe: FileSystemProbe {
  func kind(of path: String) -> FileKind {
    var info = stat()
    guard lstat(path, &info) == 0 else { return .missing }
    switch info.st_mode & S_IFMT {
    case S_IFLNK:
      return readLink(path).map { .symlink(target: $0) } ?? .missing
    case S_IFDIR:
      return .directory
    default:
      return .file
    }
  }

  private func readLink(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = buffer.withUnsafeMutableBufferPointer { readlink(path, $0.baseAddress!, Int(PATH_MAX)) }
    guard count >= 0 else { return nil }
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
