#if canImport(Glibc)
import Glibc
#endif

/// Writes text straight to standard output or standard error with `write(2)`: unbuffered, one
/// call per piece of text where the system allows, as `FileHandle` wrote it.
enum StandardStream {
  /// Writes `text` to standard error.
  static func error(_ text: String) {
    writeAll(text, to: STDERR_FILENO)
  }

  /// Writes `text` to standard output.
  static func output(_ text: String) {
    writeAll(text, to: STDOUT_FILENO)
  }

  private static func writeAll(_ text: String, to descriptor: CInt) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
      if written < 0 {
        if errno == EINTR { continue }
        return
      }
      bytes = bytes.dropFirst(written)
    }
  }
}
