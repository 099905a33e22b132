import NIOCore

extension TimeAmount {
  /// `duration` as a `TimeAmount`, at most about 285 years (Int64 nanoseconds): `grpc-timeout`
  /// allows 99 999 999 hours, which does not fit.
  static func clamped(_ duration: Duration) -> TimeAmount {
    let (seconds, attoseconds) = duration.components
    guard seconds < 9_000_000_000 else { return .nanoseconds(9_000_000_000 * 1_000_000_000) }
    guard seconds >= 0 else { return .zero }
    return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
  }
}
