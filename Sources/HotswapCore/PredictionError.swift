import CodedErrors

/// Why a prediction could not be made. The server maps `invalidInput` to HTTP 400 / gRPC
/// INVALID_ARGUMENT and `inferenceFailed` to HTTP 500 / gRPC INTERNAL.
public struct PredictionError: CodedError {
  /// The kind of failure.
  public enum Code: String, ErrorCode {
    /// The request does not fit the model: wrong feature count, a string for a number, …
    case invalidInput
    /// The model failed on valid input; a server-side error that counts against the slot.
    case inferenceFailed
    /// The model takes tensors that `/predict` cannot build from a feature list.
    case unsupportedModel
  }

  /// The kind of failure.
  public let code: Code
  /// What went wrong and what to send instead.
  public let message: String

  /// Creates an error.
  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  /// The message alone, as it always printed: the code becomes an HTTP or gRPC status instead.
  public var description: String { message }
}
