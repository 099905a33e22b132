import CodedErrors

/// Why the socket-activation variables could not be used.
public struct SocketActivationError: CodedError {
  /// The kind of failure, stable for programs to match on.
  public enum Code: String, ErrorCode {
    /// `LISTEN_PID` or `LISTEN_FDS` is not a valid number.
    case malformedVariable = "malformed_variable"
    /// A descriptor systemd announced is not open in this process.
    case descriptorNotOpen = "descriptor_not_open"
  }

  /// The kind of failure.
  public let code: Code
  /// What is wrong and what to check.
  public let message: String

  /// Creates an error from its parts.
  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }
}
