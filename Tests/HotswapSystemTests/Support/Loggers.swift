import Logging

extension Logger {
  /// A logger that discards everything (tests never bootstrap the global logging system).
  static let quiet = Logger(label: "hotswap.test", factory: { _ in SwiftLogNoOpLogHandler() })
}
