import HotswapCore

/// What a route handler gets besides the request: its captures, and the observer to report the
/// request's outcome to (a gate that can be expired when the route runs off the event loop).
struct RouteContext: Sendable {
  /// The pattern's captures.
  var parameters: RouteParameters
  /// Where the route reports the request it served.
  let observer: any RequestObserver
  /// Set when the route already runs off the event loop: work it would offload runs inline.
  let offload: OffloadObservation?
}
