import CodedErrors

/// A traffic split that cannot route: the weights are missing, negative, not finite or all zero.
public struct RoutingError: CodedError {
  /// What kind of problem the weights have.
  public enum Code: String, ErrorCode {
    /// No weights were given at all.
    case noSlots
    /// More slots than a split can index.
    case tooManySlots
    /// A weight is NaN or infinite.
    case nonFiniteWeight
    /// A weight is below zero.
    case negativeWeight
    /// Every weight is zero, so no slot could be chosen.
    case allWeightsZero
  }

  /// The kind of problem.
  public let code: Code
  /// A message naming the offending slot index and value.
  public let message: String

  /// Creates an error with a code and a message a user can act on.
  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }
}
