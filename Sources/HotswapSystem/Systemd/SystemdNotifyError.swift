/// Why a `sd_notify` datagram could not be sent.
public struct SystemdNotifyError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The kind of failure, stable for programs to match on.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    /// The code's name, as printed.
    public let rawValue: String

    /// `NOTIFY_SOCKET` is not an absolute path or an abstract `@name` that fits a Unix address.
    public static let invalidAddress = Code(rawValue: "invalid_address")
    /// Creating the datagram socket failed.
    public static let socketFailed = Code(rawValue: "socket_failed")
    /// Sending the datagram failed (no listener, permissions, a full queue).
    public static let sendFailed = Code(rawValue: "send_failed")

    /// The code's name.
    public var description: String { rawValue }
  }

  /// The kind of failure.
  public let code: Code
  /// What failed and what to check.
  public let message: String

  /// Creates an error from its parts.
  public init(code: Code, message: String) {
    self.code = code
    self.message = message
  }

  /// `code: message`.
  public var description: String { "\(code): \(message)" }
}
