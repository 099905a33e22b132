/// An error that is a code to branch on and a message a user can act on: every error type with a
/// `Code` in Hotswap has this one shape, and prints as `code: message` (logs, command-line errors).
/// A type that prints differently says so where it overrides `description`.
public protocol CodedError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The kinds of failure this error type has.
  associatedtype Code: ErrorCode

  /// What kind of failure this is.
  var code: Code { get }
  /// What went wrong and what to do about it.
  var message: String { get }
}

extension CodedError {
  /// `code: message`.
  public var description: String { "\(code.rawValue): \(message)" }
}
