import HotswapCore
import Synchronization

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

/// The observer an offloaded route reports to: holds the route's observation until the work
/// finishes, so that exactly one of "its outcome" and "timed out" is recorded.
final class OffloadObservation: RequestObserver, Sendable {
  private struct State {
    var held: [RequestObservation] = []
    var charged: (slot: String, version: String, endpoint: String)?
    var finished = false
    var expired = false
  }

  private let observer: any RequestObserver
  private let state = Mutex(State())
  private let started = ContinuousClock.now

  init(observer: any RequestObserver) {
    self.observer = observer
  }

  /// Held until `finish()`; dropped if the request expired.
  func observe(_ observation: RequestObservation) {
    state.withLock { state in
      guard !state.expired else { return }
      state.held.append(observation)
    }
  }

  /// The work now runs a model on `slot`: a timeout from here on is that slot's error.
  func charge(_ slot: ServingSlot, endpoint: String) {
    state.withLock { $0.charged = (slot.name, slot.version, endpoint) }
  }

  /// The work is done: forwards what it observed, unless the request already expired.
  func finish() {
    let held: [RequestObservation] = state.withLock { state in
      guard !state.expired else { return [] }
      state.finished = true
      defer { state.held = [] }
      return state.held
    }
    for observation in held { observer.observe(observation) }
  }

  /// See `OffloadedWork.expire()`.
  func expire() -> Bool {
    let outcome: (expired: Bool, charged: (slot: String, version: String, endpoint: String)?) =
      state.withLock { state in
        guard !state.finished else { return (false, nil) }
        state.expired = true
        state.held = []
        return (true, state.charged)
      }
    if let charged = outcome.charged {
      observer.observe(
        RequestObservation(
          slot: charged.slot,
          version: charged.version,
          wireProtocol: .rest,
          endpoint: charged.endpoint,
          outcome: .serverError,
          duration: ContinuousClock.now - started
        )
      )
    }
    return outcome.expired
  }
}
