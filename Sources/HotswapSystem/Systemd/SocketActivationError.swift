/// Why the socket-activation variables could not be used.
public struct SocketActivationError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The kind of failure, stable for programs to match on.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    /// The code's name, as printed.
    public let rawValue: String

    /// `LISTEN_PID` or `LISTEN_FDS` is not a valid number.
    public static let malformedVariable = Code(rawValue: "malformed_variable")
    /// A descriptor systemd announced is not open in this process.
    public static let descriptorNotOpen = Code(rawValue: "descriptor_not_open")

    /// The code's name.
    public var description: String { rawValue }
  }

  /// The kind of failure.
  public let code: Code
  /// What is wrong and what to check.
  public let message: String

  /// Creates an error from its parts.
  public init(code: Code, message: String) {
    self.code = code
    self.message = message
  }

  /// `code: message`.
  public var description: String { "\(code): \(message)" }
}
