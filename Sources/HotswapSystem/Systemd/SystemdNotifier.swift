import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Speaks the `sd_notify` protocol directly: one datagram per message to `$NOTIFY_SOCKET`
/// (a path, or an abstract address written `@name`). No libsystemd.
///
/// The convenience methods never throw — a service manager that stopped listening must not stop
/// the server — and log a failure to the logger given, if any; ``send(_:)`` throws.
public struct SystemdNotifier: Sendable {
  /// The socket address: an absolute path, or `@name` for the abstract namespace.
  public let socketPath: String
  private let logger: Logger?

  /// A notifier for `socketPath` (`@name` = abstract) that does not log failures.
  public init(socketPath: String) {
    self.init(socketPath: socketPath, logger: nil)
  }

  /// A notifier for `socketPath` (`@name` = abstract) that logs failed sends to `logger`.
  public init(socketPath: String, logger: Logger?) {
    self.socketPath = socketPath
    self.logger = logger
  }

  /// The notifier for `$NOTIFY_SOCKET`, or `nil` when it is unset or empty (not run by systemd).
  public static func fromEnvironment() -> SystemdNotifier? {
    fromEnvironment(logger: nil)
  }

  /// The notifier for `$NOTIFY_SOCKET` logging failures to `logger`, or `nil` when it is unset.
  public static func fromEnvironment(logger: Logger?) -> SystemdNotifier? {
    fromEnvironment(ProcessEnvironment.values(of: ["NOTIFY_SOCKET"]), logger: logger)
  }

  /// The notifier `environment` describes, or `nil` when `NOTIFY_SOCKET` is unset or empty.
  public static func fromEnvironment(
    _ environment: [String: String],
    logger: Logger? = nil
  ) -> SystemdNotifier? {
    guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return nil }
    return SystemdNotifier(socketPath: path, logger: logger)
  }

  /// `READY=1`: the first plan serves. `status` goes in `STATUS=` (generation, shares).
  public func ready(status: String? = nil) {
    sendLogging(SystemdNotifyMessage.ready(status: status))
  }

  /// `RELOADING=1` with `MONOTONIC_USEC=now`, before a SIGHUP re-read; follow with ``ready(status:)``.
  public func reloading(status: String? = nil) {
    sendLogging(
      SystemdNotifyMessage.reloading(monotonicMicroseconds: Self.monotonicMicroseconds(), status: status)
    )
  }

  /// `STOPPING=1`: shutdown has begun.
  public func stopping(status: String? = nil) {
    sendLogging(SystemdNotifyMessage.stopping(status: status))
  }

  /// `STATUS=…` alone.
  public func status(_ status: String) {
    sendLogging(SystemdNotifyMessage.status(status))
  }

  /// `WATCHDOG=1`: the serving path is alive.
  public func watchdog() {
    sendLogging(SystemdNotifyMessage.watchdog)
  }

  /// Sends `message` as one datagram.
  public func send(_ message: String) throws(SystemdNotifyError) {
    let address = try Self.address(socketPath)
    let descriptor = socket(AF_UNIX, CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0 else {
      throw SystemdNotifyError(
        .socketFailed,
        "cannot create a Unix datagram socket: \(Self.errnoText())"
      )
    }
    defer { close(descriptor) }
    let bytes = Array(message.utf8)
    var sent: Int
    repeat {
      sent = address.withSocketAddress { pointer, length in
        bytes.withUnsafeBytes {
          sendto(descriptor, $0.baseAddress, $0.count, CInt(MSG_NOSIGNAL), pointer, length)
        }
      }
    } while sent < 0 && errno == EINTR
    guard sent == bytes.count else {
      let reason = sent < 0 ? Self.errnoText() : "only \(sent) of \(bytes.count) bytes were sent"
      throw SystemdNotifyError(
        .sendFailed,
        "cannot notify systemd at NOTIFY_SOCKET='\(socketPath)': \(reason)"
      )
    }
  }

  /// The watchdog period from `WATCHDOG_USEC`, when the watchdog is on for this process; ping at
  /// half of it.
  public static func watchdogInterval() -> Duration? {
    watchdogInterval(
      environment: ProcessEnvironment.values(of: ["WATCHDOG_USEC", "WATCHDOG_PID"]),
      pid: getpid()
    )
  }

  /// The watchdog period `environment` asks of process `pid`: `WATCHDOG_USEC` must be a positive
  /// integer and `WATCHDOG_PID`, when set, must be `pid`.
  public static func watchdogInterval(environment: [String: String], pid: pid_t) -> Duration? {
    guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0,
      microseconds <= UInt64(Int64.max)
    else { return nil }
    if let owner = environment["WATCHDOG_PID"] {
      guard let owner = pid_t(owner), owner == pid else { return nil }
    }
    return .microseconds(Int64(microseconds))
  }

  private func sendLogging(_ message: String) {
    do {
      try send(message)
    } catch {
      logger?.warning("systemd notification failed: \(error.message)")
    }
  }

  private static func monotonicMicroseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
  }

  private static func errnoText() -> String {
    let code = errno
    return "\(String(cString: strerror(code))) (errno \(code))"
  }

  private static func address(_ path: String) throws(SystemdNotifyError) -> UnixSocketAddress {
    guard let address = UnixSocketAddress(path) else {
      throw SystemdNotifyError(
        .invalidAddress,
        "NOTIFY_SOCKET='\(path)' is neither an absolute path nor an abstract '@name'"
          + " shorter than \(UnixSocketAddress.capacity) bytes"
      )
    }
    return address
  }
}
