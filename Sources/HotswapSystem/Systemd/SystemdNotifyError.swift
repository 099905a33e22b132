import CodedErrors

/// Why a `sd_notify` datagram could not be sent.
public struct SystemdNotifyError: CodedError {
  /// The kind of failure, stable for programs to match on.
  public enum Code: String, ErrorCode {
    /// `NOTIFY_SOCKET` is not an absolute path or an abstract `@name` that fits a Unix address.
    case invalidAddress = "invalid_address"
    /// Creating the datagram socket failed.
    case socketFailed = "socket_failed"
    /// Sending the datagram failed (no listener, permissions, a full queue).
    case sendFailed = "send_failed"
  }

  /// The kind of failure.
  public let code: Code
  /// What failed and what to check.
  public let message: String

  /// Creates an error from its parts.
  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }
}
