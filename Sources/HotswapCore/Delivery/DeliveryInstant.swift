import FoundationEssentials

/// One moment on both clocks the guard and the rollout need: the wall clock (persisted rollout
/// times survive a restart) and the monotonic clock (request statistics). Tests inject both.
public struct DeliveryInstant: Sendable {
  /// Wall-clock time.
  public var wall: Date
  /// Monotonic time.
  public var uptime: ContinuousClock.Instant

  /// Creates an instant.
  public init(wall: Date, uptime: ContinuousClock.Instant) {
    self.wall = wall
    self.uptime = uptime
  }

  /// Now on both clocks.
  public static var now: DeliveryInstant { DeliveryInstant(wall: Date(), uptime: .now) }

  /// This instant moved by `duration` on both clocks.
  public func advanced(by duration: Duration) -> DeliveryInstant {
    DeliveryInstant(wall: wall.addingTimeInterval(duration.inSeconds), uptime: uptime.advanced(by: duration))
  }
}
