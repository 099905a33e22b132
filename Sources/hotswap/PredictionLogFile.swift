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

  /// The last `count` complete lines that `keep` accepts, oldest first: from `path`, and from
  /// `rotatedPath` when `path` has fewer.
  static func lastLines(
    rotatedPath: String,
    path: String,
    count: Int,
    keep: (ArraySlice<UInt8>) -> Bool
  ) -> [ArraySlice<UInt8>] {
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

  /// Lines appended to the log since the last call, starting at its end; after a rotation, the
  /// new file from its start.
  struct Follower {
    let path: String
    private var inode: ino_t = 0
    private var offset = 0
    private var partial: [UInt8] = []

    init(path: String) {
      self.path = path
      if let (inode, size) = Self.identity(path) {
        self.inode = inode
        offset = size
      }
    }

    mutating func newLines() -> [ArraySlice<UInt8>] {
      guard let (currentInode, size) = Self.identity(path) else { return [] }
      if currentInode != inode || size < offset {
        inode = currentInode
        offset = 0
        partial = []
      }
      guard size > offset else { return [] }
      let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
      guard descriptor >= 0 else { return [] }
      defer { close(descriptor) }
      let end = min(size, offset + PredictionLogFile.maxScan)
      let bytes = partial + PredictionLogFile.read(descriptor, from: offset, to: end)
      offset = end
      guard let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) else {
        partial = bytes
        return []
      }
      partial = Array(bytes[(lastNewline + 1)...])
      return bytes[..<lastNewline].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
    }

    private static func identity(_ path: String) -> (ino_t, Int)? {
      var status = stat()
      guard stat(path, &status) == 0 else { return nil }
      return (status.st_ino, Int(status.st_size))
    }
  }
}
