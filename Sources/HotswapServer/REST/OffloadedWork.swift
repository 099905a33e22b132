import HotswapCore

/// Work a route runs on the thread pool instead of the event loop (large batches, large bodies),
/// with what to record if it outlives `request_timeout`: the connection answers 503 at the
/// deadline and the request counts as its slot's error; the late result is dropped unrecorded.
public struct OffloadedWork: Sendable {
  private let observation: OffloadObservation
  private let body: @Sendable (OffloadObservation) -> RESTResponse

  /// Work whose outcome `body` reports to the observer it is given, which forwards it to
  /// `observer` unless the deadline passed first. `charging` names the slot a timeout is
  /// charged to, when already known.
  init(
    observer: any RequestObserver,
    charging slot: (slot: ServingSlot, endpoint: String)? = nil,
    _ body: @escaping @Sendable (OffloadObservation) -> RESTResponse
  ) {
    observation = OffloadObservation(observer: observer)
    if let slot { observation.charge(slot.slot, endpoint: slot.endpoint) }
    self.body = body
  }

  /// Computes the response (on the thread pool) and records its outcome, unless `expire()`
  /// came first.
  public func run() -> RESTResponse {
    let response = body(observation)
    observation.finish()
    return response
  }

  /// The request ran out of time. True if the work had not finished: the timeout is recorded as
  /// a server error of the slot it runs on, and the caller answers 503. False if it had: its
  /// response is already on its way and should be sent instead.
  public func expire() -> Bool {
    observation.expire()
  }
}
