import HotswapCore
import Synchronization

/// The observer an offloaded route reports to: holds the route's observation until the work
/// finishes, so that exactly one of "its outcome" and "timed out" is recorded.
final class OffloadObservation: RequestObserver, Sendable {
  private struct State {
    var held: [RequestObservation] = []
    var deliveries: [@Sendable () -> Void] = []
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

  /// True: it holds observations and deliveries until the work finishes.
  var holdsUntilServed: Bool { true }

  /// Held until `finish()`; dropped if the request expired.
  func observe(_ observation: RequestObservation) {
    state.withLock { state in
      guard !state.expired else { return }
      state.held.append(observation)
    }
  }

  /// Runs `delivery` (the prediction tap's) when the work finishes in time; drops it if the
  /// request expired: the client got a 503, so no consumer may see the late answer as served.
  func deliverIfServed(_ delivery: @escaping @Sendable () -> Void) {
    state.withLock { state in
      guard !state.expired else { return }
      state.deliveries.append(delivery)
    }
  }

  /// The work now runs a model on `slot`: a timeout from here on is that slot's error.
  func charge(_ slot: ServingSlot, endpoint: String) {
    state.withLock { $0.charged = (slot.name, slot.version, endpoint) }
  }

  /// The work is done: forwards what it observed, unless the request already expired.
  func finish() {
    let (held, deliveries) = state.withLock { state -> ([RequestObservation], [@Sendable () -> Void]) in
      guard !state.expired else { return ([], []) }
      state.finished = true
      defer {
        state.held = []
        state.deliveries = []
      }
      return (state.held, state.deliveries)
    }
    for observation in held { observer.observe(observation) }
    for delivery in deliveries { delivery() }
  }

  /// See `OffloadedWork.expire()`.
  func expire() -> Bool {
    let outcome: (expired: Bool, charged: (slot: String, version: String, endpoint: String)?) =
      state.withLock { state in
        guard !state.finished else { return (false, nil) }
        state.expired = true
        state.held = []
        state.deliveries = []
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

extension PredictionTicket {
  /// Hands the served request to the tap — at once, or for offloaded work reporting to an
  /// ``OffloadObservation``, when the work finishes before its deadline (never after a 503).
  func served(
    _ input: ServedPrediction.Input,
    _ output: ServedPrediction.Output,
    latency: Duration,
    reportingTo observer: any RequestObserver
  ) {
    guard observer.holdsUntilServed, let offload = observer as? OffloadObservation else {
      served(input, output, latency: latency)
      return
    }
    offload.deliverIfServed { self.served(input, output, latency: latency) }
  }
}
