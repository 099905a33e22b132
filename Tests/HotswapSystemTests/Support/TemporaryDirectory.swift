import Foundation

/// A fresh directory under the system temp directory, removed when the value is released.
final class TemporaryDirectory: Sendable {
  /// The directory's absolute, symlink-free path.
  let path: String

  init() throws {
    let base = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath().path
    let template = base + "/hotswap-system-XXXXXX"
    var bytes = Array(template.utf8CString)
    guard let created = mkdtemp(&bytes) else {
      throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: template])
    }
    path = String(cString: created)
  }

  /// `path/relative`.
  func file(_ relative: String) -> String {
    path + "/" + relative
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }
}
