import CodedErrors

/// An error from loading or running a model: a code to branch on and a message a user can act on.
public struct OnnxError: CodedError {
  /// What kind of failure this is.
  public enum Code: String, ErrorCode {
    /// The file is not a well-formed ONNX model (bad protobuf, missing graph, absurd sizes).
    case invalidModel
    /// The graph uses an operator, domain or opset this runtime does not implement.
    case unsupportedOperator
    /// The graph is well-formed protobuf but inconsistent (order, names, types, attributes).
    case invalidGraph
    /// The tensors given to `run` do not match the model's inputs.
    case invalidInput
    /// An operator failed on the given values (for example an index out of range).
    case runtimeFailure
  }

  /// What kind of failure this is.
  public let code: Code
  /// A human-readable explanation naming the offending node, input or attribute.
  public let message: String

  /// Creates an error with a code and a message.
  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }
}
