#if canImport(Glibc)
import Glibc
#endif

/// The one way Hotswap writes files it must not lose or tear: the CLI's config edits, the
/// delivery record and the audit trail. Every write reaches the disk (`fsync`) before it counts.
public enum AtomicFile {
  /// What to do when the path is a symlink.
  public enum SymlinkPolicy: Sendable {
    /// Refuse: replacing a symlink would detach the path from what it pointed at (a Kubernetes
    /// ConfigMap mount). The message says to edit the source instead.
    case refuse
    /// Replace the link itself with a regular file.
    case replace
  }

  /// Replaces the file at `path` with `bytes` so that readers (and the watcher) see the old or
  /// the new content, never a mix, and a crash leaves one of the two.
  ///
  /// Writes a temporary file in the same directory, flushes it, renames it over `path` and flushes
  /// the directory. An existing file keeps its mode (and owner, where permitted); a new one gets
  /// `mode`.
  /// - Throws: ``FileError`` naming the path and the failing step.
  public static func replace(
    _ path: String,
    with bytes: [UInt8],
    mode newFileMode: Int = 0o644,
    symlinks: SymlinkPolicy = .refuse
  ) throws(FileError) {
    var mode = mode_t(newFileMode)
    var owner: (uid_t, gid_t)? = nil
    do throws(FileError) {
      let existing = try FileAttributes.ofLink(path: path)
      switch existing.kind {
      case .regular:
        mode = mode_t(existing.permissions)
        owner = (existing.userID, existing.groupID)
      case .symbolicLink where symlinks == .replace:
        break
      case .symbolicLink:
        throw FileError(
          path: path,
          reason:
            "is a symlink (a Kubernetes ConfigMap or similar), which a write would detach from its source; edit the file it points to, or its source, instead"
        )
      default:
        throw FileError(path: path, reason: "is \(existing.kind), not a regular file")
      }
    } catch  where error.errno == ENOENT {
      // A new file.
    }
    let directory = directoryName(path)
    let base = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    let temporary = "\(directory)/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw .system(path, "cannot be written: cannot create \(temporary)", errno: errno)
    }
    do throws(FileError) {
      try writeAll(bytes, to: descriptor, path: temporary)
      _ = owner.map { fchown(descriptor, $0.0, $0.1) }  // Best effort: only root may give files away.
      guard fchmod(descriptor, mode) == 0 else {
        throw .system(temporary, "cannot be given its mode", errno: errno)
      }
      guard fsync(descriptor) == 0 else {
        throw .system(temporary, "cannot be flushed to disk", errno: errno)
      }
    } catch {
      close(descriptor)
      unlink(temporary)
      throw error
    }
    guard close(descriptor) == 0 else {
      let code = errno
      unlink(temporary)
      throw .system(temporary, "cannot be closed", errno: code)
    }
    guard rename(temporary, path) == 0 else {
      let code = errno
      unlink(temporary)
      throw .system(path, "cannot be replaced", errno: code)
    }
    try syncDirectory(directory)
  }

  /// Appends `bytes` as one record: a single `write` to the file opened with `O_APPEND` (so
  /// concurrent appenders never interleave within a record), then `fsync` unless `durable` is
  /// false. A new file is created with `mode`, whatever the umask.
  public static func append(
    _ bytes: [UInt8],
    to path: String,
    mode newFileMode: Int = 0o640,
    durable: Bool = true
  ) throws(FileError) {
    let descriptor = try openForAppending(path, mode: mode_t(newFileMode))
    defer { close(descriptor) }
    try writeAll(bytes, to: descriptor, path: path)
    guard durable else { return }
    guard fsync(descriptor) == 0 else { throw .system(path, "cannot be flushed to disk", errno: errno) }
  }

  /// Renames `path` to `destination` (replacing it) and flushes the directory: a rotation.
  public static func move(_ path: String, to destination: String) throws(FileError) {
    guard rename(path, destination) == 0 else {
      throw .system(path, "cannot be renamed to \(destination)", errno: errno)
    }
    try syncDirectory(directoryName(destination))
  }

  /// Opens `path` to append, creating it with `mode`. Only a regular file is appended to: the
  /// open does not block (a FIFO planted in its place would otherwise wait for a reader forever)
  /// and anything else — a FIFO, a device, a socket — is refused; a symbolic link is never
  /// followed.
  private static func openForAppending(_ path: String, mode: mode_t) throws(FileError) -> Int32 {
    let flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK
    while true {
      let existing = open(path, flags)
      if existing >= 0 {
        var status = stat()
        guard fstat(existing, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
          close(existing)
          throw FileError(path: path, reason: "is not a regular file; nothing is appended to it")
        }
        return existing
      }
      if errno == ENXIO {
        // A FIFO without a reader: O_NONBLOCK makes the open fail instead of waiting.
        throw FileError(path: path, reason: "is a FIFO, not a regular file; nothing is appended to it")
      }
      guard errno == ENOENT else { throw .system(path, "cannot be opened", errno: errno) }
      let created = open(path, flags | O_CREAT | O_EXCL, mode)
      if created >= 0 {
        _ = fchmod(created, mode)
        return created
      }
      guard errno == EEXIST else { throw .system(path, "cannot be created", errno: errno) }
    }
  }

  private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(FileError) {
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { buffer in
        write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        throw .system(path, "cannot be written", errno: errno)
      }
      offset += written
    }
  }

  private static func syncDirectory(_ directory: String) throws(FileError) {
    let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { return }  // Not every file system lets a directory be opened.
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else { throw .system(directory, "cannot be flushed to disk", errno: errno) }
  }

  static func directoryName(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }
}
