/// The `sd_notify` datagrams the server sends, as text. Pure.
enum SystemdNotifyMessage {
  /// `READY=1`, with the status line if any.
  static func ready(status: String?) -> String {
    lines(["READY=1"], status: status)
  }

  /// `RELOADING=1` with `MONOTONIC_USEC=` (required by `Type=notify-reload`), and the status.
  static func reloading(monotonicMicroseconds: UInt64, status: String?) -> String {
    lines(["RELOADING=1", "MONOTONIC_USEC=\(monotonicMicroseconds)"], status: status)
  }

  /// `STOPPING=1`, with the status line if any.
  static func stopping(status: String?) -> String {
    lines(["STOPPING=1"], status: status)
  }

  /// `STATUS=…` alone.
  static func status(_ status: String) -> String {
    lines([], status: status)
  }

  /// The watchdog keep-alive.
  static let watchdog = "WATCHDOG=1"

  /// A status made safe for one `STATUS=` line: newlines would start a new (bogus) assignment.
  static func sanitized(_ status: String) -> String {
    String(status.map { $0.isNewline ? " " : $0 })
  }

  private static func lines(_ assignments: [String], status: String?) -> String {
    (assignments + (status.map { ["STATUS=" + sanitized($0)] } ?? [])).joined(separator: "\n")
  }
}
