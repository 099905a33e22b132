import Foundation

/// File operations the tests perform exactly as editors, tools and the kubelet do.
enum FileWrites {
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  /// Opens `path` with `flags`, writes each chunk (calling `between` after each but the last),
  /// then closes.
  static func write(
    _ chunks: [String],
    to path: String,
    flags: CInt = O_WRONLY | O_CREAT | O_TRUNC,
    between: () -> Void = {}
  ) throws {
    let descriptor = open(path, flags | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw Failure(description: "open \(path): \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    for (index, chunk) in chunks.enumerated() {
      let bytes = Array(chunk.utf8)
      let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
      guard written == bytes.count else { throw Failure(description: "write \(path) failed") }
      if index < chunks.count - 1 { between() }
    }
  }

  /// Truncates and rewrites `path` in place.
  static func writeInPlace(_ content: String, to path: String) throws {
    try write([content], to: path)
  }

  /// Writes a hidden temporary file next to `path`, then renames it over `path` (vim, the CLI).
  static func writeAndRename(_ content: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
      .path
    try write([content], to: temporary)
    try check(rename(temporary, path), "rename \(temporary) -> \(path)")
  }

  /// Creates a symlink `path` -> `target`.
  static func symlink(_ target: String, at path: String) throws {
    try check(Foundation.symlink(target, path), "symlink \(path) -> \(target)")
  }

  /// Points symlink `path` at `target` atomically: a temporary link renamed over it (`ln -sfn`).
  static func swapSymlink(_ path: String, to target: String, temporaryName: String) throws {
    let temporary = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(
      temporaryName
    ).path
    try symlink(target, at: temporary)
    try check(rename(temporary, path), "rename \(temporary) -> \(path)")
  }

  /// Creates directory `path`.
  static func makeDirectory(_ path: String) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  /// Removes `path` and everything below it.
  static func remove(_ path: String) throws {
    try FileManager.default.removeItem(atPath: path)
  }

  /// The file's content, following symlinks, or `nil` when it cannot be read.
  static func read(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return String(decoding: data, as: UTF8.self)
  }

  private static func check(_ status: CInt, _ what: String) throws {
    guard status == 0 else { throw Failure(description: "\(what): \(String(cString: strerror(errno)))") }
  }
}
