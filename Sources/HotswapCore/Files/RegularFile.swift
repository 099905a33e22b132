#if canImport(Glibc)
import Glibc
#endif

/// Reads a whole regular file with a size limit, without ever blocking on or touching something
/// that is not one.
///
/// What the path names is checked with `stat` *before* it is opened: opening a FIFO blocks until
/// a writer appears, and opening a device can have effects of its own (a watchdog, a tape). The
/// file is then opened non-blocking and checked again with `fstat` — the path may have been
/// swapped in between — and the limit applies to that size, which for a symlink is the size of
/// what it points at. Reading stops one byte past the limit, so a file that grows while it is read
/// is refused too, and memory never exceeds the limit.
public enum RegularFile {
  /// The bytes of the regular file at `path`, at most `limit` of them.
  /// - Throws: ``FileError`` naming the path and the reason: missing, not readable, not a regular
  ///   file (and what it is instead), larger than the limit.
  public static func read(_ path: String, limit: Int) throws(FileError) -> [UInt8] {
    try check(FileAttributes.of(path: path), path: path, limit: limit)
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    guard descriptor >= 0 else { throw .lookup(path, "cannot be opened", errno: errno) }
    defer { close(descriptor) }
    let attributes = try FileAttributes.of(descriptor: descriptor, path: path)
    try check(attributes, path: path, limit: limit)
    return try readAll(descriptor, path: path, expected: attributes.size, limit: limit)
  }

  /// The file at `path` as UTF-8 text, at most `limit` bytes.
  public static func readText(_ path: String, limit: Int) throws(FileError) -> String {
    let bytes = try read(path, limit: limit)
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw FileError(path: path, reason: "is not UTF-8 text")
    }
    return text
  }

  private static func check(_ attributes: FileAttributes, path: String, limit: Int) throws(FileError) {
    guard attributes.kind == .regular else {
      throw FileError(path: path, reason: "is \(attributes.kind), not a regular file")
    }
    guard attributes.size <= limit else {
      throw FileError(
        path: path,
        reason: "is \(ByteCount(attributes.size).exact); the limit is \(ByteCount(limit).exact)"
      )
    }
  }

  private static func readAll(
    _ descriptor: Int32,
    path: String,
    expected: Int,
    limit: Int
  ) throws(FileError)
    -> [UInt8]
  {
    // One byte more than expected (capped at limit + 1) tells a file that grew from one that did not.
    let capacity = min(expected, limit) + 1
    var failure: Int32? = nil
    var bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
      count = 0
      while count < capacity {
        let got = Glibc.read(descriptor, buffer.baseAddress! + count, capacity - count)
        if got < 0 {
          if errno == EINTR { continue }
          failure = errno
          return
        }
        if got == 0 { return }
        count += got
      }
    }
    if let failure { throw .system(path, "cannot be read", errno: failure) }
    if bytes.count > expected {
      // It grew since fstat: read on, but never past the limit.
      while bytes.count <= limit {
        let chunk = min(64 << 10, limit + 1 - bytes.count)
        var more = [UInt8](repeating: 0, count: chunk)
        let got = more.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, chunk) }
        if got < 0 {
          if errno == EINTR { continue }
          throw .system(path, "cannot be read", errno: errno)
        }
        if got == 0 { break }
        bytes.append(contentsOf: more[..<got])
      }
      if bytes.count > limit {
        throw FileError(
          path: path,
          reason: "grew past the limit of \(ByteCount(limit).exact) while being read"
        )
      }
    }
    return bytes
  }
}
