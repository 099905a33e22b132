/// The kind of a ``CodedError``: an enum whose raw value is the name programs match on and
/// messages print (a case's own name unless it gives another, as the system errors'
/// `watch_limit_reached` does).
public protocol ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible
where RawValue == String {}

extension ErrorCode {
  /// The code's name, as printed.
  public var description: String { rawValue }
}
