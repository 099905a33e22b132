import CodedErrors

/// Why an Open Inference Protocol call failed: a code to branch on and a message a user can act
/// on. REST and gRPC map the code to their own status only at the edge
/// (`InferenceError+Status.swift` in HotswapServer).
public struct InferenceError: CodedError {
  /// What kind of failure this is.
  public enum Code: String, ErrorCode {
    /// The request is malformed: bad tensors, datatypes, shapes or JSON.
    case invalidArgument
    /// The model or version named by the request is not served.
    case notFound
    /// No model is loaded yet.
    case unavailable
    /// The request is larger than a limit.
    case resourceExhausted
    /// The model failed on valid input.
    case `internal`
  }

  /// What kind of failure this is.
  public let code: Code
  /// What went wrong and what to do instead.
  public let message: String

  /// Creates an error.
  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }
}
