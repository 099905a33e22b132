#if canImport(Glibc)
import Glibc
#endif

/// Reads the prediction log from its end: the last lines without reading a large file whole, and
/// the lines appended since the last look (following a rotation).
enum PredictionLogFile {
  /// How much is read at a time from the end.
  static let block = 64 << 10
  /// The most of one file read when looking for the last lines.
  static let maxScan = 64 << 20

  /// Why the log at `path` exists but cannot be read (a permission, most often), or nil: it is
  /// readable or there is none yet.
  static func unreadable(_ path: String) -> String? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    if descriptor >= 0 {
      close(descriptor)
      return nil
    }
    let code = errno
    return code == ENOENT ? nil : String(cString: strerror(code))
  }

  /// The last `count` complete lines that `keep` accepts, oldest first: from `path`, and from
  /// `rotatedPath` when `path` has fewer.
  static func lastLines(
    rotatedPath: String,
    path: String,
    count: Int,
    keep: (ArraySlice<UInt8>) -> Bool
  ) -> [ArraySlice<UInt8>] {
    guard count > 0 else { return [] }
    var lines = tail(path, count: count, keep: keep)
    if lines.count < count {
      lines = tail(rotatedPath, count: count - lines.count, keep: keep) + lines
    }
    return lines
  }

  private static func tail(
    _ path: String,
    count: Int,
    keep: (ArraySlice<UInt8>) -> Bool
  ) -> [ArraySlice<UInt8>] {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard descriptor >= 0 else { return [] }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return [] }
    let size = Int(status.st_size)
    let start = max(0, size - maxScan)
    let bytes = read(descriptor, from: start, to: size)
    var lines: [ArraySlice<UInt8>] = []
    var pieces = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
    if start > 0, !pieces.isEmpty { pieces.removeFirst() }  // cut mid-line
    if bytes.last != UInt8(ascii: "\n"), !pieces.isEmpty { pieces.removeLast() }  // being written
    for piece in pieces.reversed() where keep(piece) {
      lines.append(piece)
      if lines.count == count { break }
    }
    return lines.reversed()
  }

  static func read(_ descriptor: Int32, from start: Int, to end: Int) -> [UInt8] {
    guard end > start else { return [] }
    var bytes = [UInt8](repeating: 0, count: end - start)
    var offset = 0
    while offset < bytes.count {
      let got = bytes.withUnsafeMutableBytes { buffer in
        pread(descriptor, buffer.baseAddress! + offset, buffer.count - offset, off_t(start + offset))
      }
      if got < 0, errno == EINTR { continue }
      guard got > 0 else { break }
      offset += got
    }
    return Array(bytes.prefix(offset))
  }

  /// Lines appended to the log since the last call, starting at its end. The file stays open,
  /// so after a rotation the rest of the old file (now `predictions.jsonl.1`) is read before the
  /// new one, from its start; a file truncated in place is read again from its start. A line
  /// longer than ``maxLine`` is skipped, so a file without newlines cannot grow the reader.
  struct Follower {
    /// The longest line kept while waiting for its end.
    static let maxLine = 1 << 20

    let path: String
    private var descriptor: Int32 = -1
    private var offset = 0
    private var partial: [UInt8] = []
    private var skippingLine = false

    init(path: String) {
      self.path = path
      if let descriptor = Self.open(path) {
        self.descriptor = descriptor
        offset = Self.size(descriptor) ?? 0
      }
    }

    mutating func newLines() -> [ArraySlice<UInt8>] {
      var lines: [ArraySlice<UInt8>] = []
      if descriptor >= 0 {
        lines += readAppended()
        // Rotated or replaced: the old file is finished (its last lines were just read).
        if Self.inode(ofPath: path) != Self.inode(descriptor) {
          close(descriptor)
          descriptor = -1
        }
      }
      if descriptor < 0, let opened = Self.open(path) {
        descriptor = opened
        offset = 0
        partial = []
        skippingLine = false
        lines += readAppended()
      }
      return lines
    }

    private mutating func readAppended() -> [ArraySlice<UInt8>] {
      guard let size = Self.size(descriptor) else { return [] }
      if size < offset {
        offset = 0
        partial = []
        skippingLine = false
      }
      var lines: [ArraySlice<UInt8>] = []
      let stop = min(size, offset + PredictionLogFile.maxScan)  // the rest on the next look
      while offset < stop {
        let end = min(stop, offset + PredictionLogFile.block)
        let bytes = PredictionLogFile.read(descriptor, from: offset, to: end)
        guard !bytes.isEmpty else { break }
        offset += bytes.count
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
          if skippingLine {
            skippingLine = false
          } else {
            partial += bytes[start..<newline]
            if !partial.isEmpty { lines.append(partial[...]) }
          }
          partial = []
          start = newline + 1
        }
        if !skippingLine { partial += bytes[start...] }
        if partial.count > Self.maxLine {
          partial = []
          skippingLine = true
        }
      }
      return lines
    }

    private static func open(_ path: String) -> Int32? {
      let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
      guard descriptor >= 0 else { return nil }
      var status = stat()
      guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
        close(descriptor)
        return nil
      }
      return descriptor
    }

    private static func size(_ descriptor: Int32) -> Int? {
      var status = stat()
      guard fstat(descriptor, &status) == 0 else { return nil }
      return Int(status.st_size)
    }

    private static func inode(_ descriptor: Int32) -> ino_t? {
      var status = stat()
      guard fstat(descriptor, &status) == 0 else { return nil }
      return status.st_ino
    }

    private static func inode(ofPath path: String) -> ino_t? {
      var status = stat()
      guard stat(path, &status) == 0 else { return nil }
      return status.st_ino
    }
  }
}
