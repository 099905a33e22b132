#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ConfigEditor {
  private static let fileTypeMask: mode_t = 0o170_000
  private static let symbolicLinkType: mode_t = 0o120_000
  private static let regularFileType: mode_t = 0o100_000

  /// Replaces the file at `path` with `text` so that readers (and the watcher) see either the old
  /// or the new content, never a mix.
  ///
  /// Writes a temporary file in the same directory, flushes it, renames it over `path` and flushes
  /// the directory. The original file's mode (and owner, where permitted) is kept; a new file gets
  /// mode 0644. A symlink at `path` (a Kubernetes ConfigMap mount) is refused, since replacing it
  /// would silently detach the file from its source.
  /// - Throws: ``ConfigErrors`` with one error naming the path and the system's reason.
  public static func writeAtomically(_ text: String, to path: String) throws {
    var mode: mode_t = 0o644
    var owner: (uid_t, gid_t)?
    var status = stat()
    if lstat(path, &status) == 0 {
      let type = status.st_mode & fileTypeMask
      if type == symbolicLinkType {
        throw failure(
          path,
          "refusing to replace a symlink (a Kubernetes ConfigMap or similar); edit the file it points to, or its source, instead"
        )
      }
      guard type == regularFileType else { throw failure(path, "not a regular file") }
      mode = status.st_mode & 0o7777
      owner = (status.st_uid, status.st_gid)
    } else if errno != ENOENT {
      throw failure(path, "cannot inspect: \(systemError())")
    }
    let directory = directoryName(path)
    let base = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    let temporary = "\(directory)/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw failure(path, "cannot create \(temporary): \(systemError())") }
    do {
      try writeAll(text, to: descriptor, path: temporary)
      _ = owner.map { fchown(descriptor, $0.0, $0.1) }  // Best effort: only root may give files away.
      guard fchmod(descriptor, mode) == 0 else {
        throw failure(temporary, "cannot set mode: \(systemError())")
      }
      guard fsync(descriptor) == 0 else { throw failure(temporary, "cannot flush: \(systemError())") }
    } catch {
      close(descriptor)
      unlink(temporary)
      throw error
    }
    guard close(descriptor) == 0 else {
      let reason = systemError()
      unlink(temporary)
      throw failure(temporary, "cannot close: \(reason)")
    }
    guard rename(temporary, path) == 0 else {
      let reason = systemError()
      unlink(temporary)
      throw failure(path, "cannot replace: \(reason)")
    }
    let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if directoryDescriptor >= 0 {
      defer { close(directoryDescriptor) }
      guard fsync(directoryDescriptor) == 0 else {
        throw failure(directory, "cannot flush directory: \(systemError())")
      }
    }
  }

  private static func writeAll(_ text: String, to descriptor: Int32, path: String) throws {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { buffer in
        write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        throw failure(path, "cannot write: \(systemError())")
      }
      offset += written
    }
  }

  private static func directoryName(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  private static func systemError() -> String {
    String(cString: strerror(errno))
  }

  private static func failure(_ path: String, _ message: String) -> ConfigErrors {
    ConfigErrors([ConfigError(file: path, line: nil, message: message)])
  }
}
