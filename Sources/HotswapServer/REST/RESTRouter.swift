import HotswapCore
import NIOHTTP1

/// Maps a request to its route (`RESTRouter+Routes.swift` lists them all). Routes are
/// synchronous and never block: small predictions run inline (microseconds); large batches and
/// large bodies are handed back as `.offload`.
public struct RESTRouter: Sendable {
  /// Batches with more rows than this run on the thread pool instead of the event loop.
  public static let inlineRowLimit = 64
  /// Bodies larger than this are parsed on the thread pool instead of the event loop: a 64 KiB
  /// JSON body parses in about 0.3 ms (release build), a 1 MiB one in about 5 ms.
  public static let inlineBodyLimit = 64 << 10

  let environment: ServingEnvironment
  let inference: InferenceProtocolREST
  private let table: RouteTable

  /// Creates a router over an environment.
  public init(environment: ServingEnvironment) {
    self.environment = environment
    self.inference = InferenceProtocolREST(environment: environment)
    self.table = RouteTable(Self.routes)
  }

  /// Routes one request.
  public func route(_ request: RESTRequest) -> RouteResult {
    let route: RESTRoute
    let parameters: RouteParameters
    do {
      (route, parameters) = try table.find(request)
    } catch {
      return .response(error.response)
    }
    guard route.readsLargeBodies, request.body.readableBytes > Self.inlineBodyLimit else {
      let context = RouteContext(parameters: parameters, observer: environment.observer, offload: nil)
      return invoke(route, request, context)
    }
    return .offload(
      OffloadedWork(observer: environment.observer) { observation in
        let context = RouteContext(parameters: parameters, observer: observation, offload: observation)
        switch invoke(route, request, context) {
        case .response(let response): return response
        case .offload(let work): return work.run()
        }
      }
    )
  }

  private func invoke(_ route: RESTRoute, _ request: RESTRequest, _ context: RouteContext) -> RouteResult {
    do {
      return try route.handler(self, request, context)
    } catch let error as HTTPError {
      return .response(error.response)
    } catch let error as InferenceError {
      return .response(error.httpError.response)
    } catch {
      return .response(HTTPError(.internalServerError, "internal error: \(error)").response)
    }
  }

  /// Whether a model run on `rows` rows is answered right here: small batches on the event loop,
  /// and everything when the route already runs on the thread pool. Otherwise `offload`.
  func runsHere(rows: Int, _ context: RouteContext) -> Bool {
    rows <= Self.inlineRowLimit || context.offload != nil
  }

  /// The observer for a model run on `slot` that `runsHere`: a timeout from now on is charged to
  /// the slot when the route runs on the thread pool.
  func observer(running slot: ServingSlot, endpoint: String, _ context: RouteContext) -> any RequestObserver {
    context.offload?.charge(slot, endpoint: endpoint)
    return context.observer
  }

  /// Runs `work`, which uses `slot`'s model, on the thread pool.
  func offload(
    on slot: ServingSlot,
    endpoint: String,
    _ work: @escaping @Sendable (any RequestObserver) -> RESTResponse
  ) -> RouteResult {
    .offload(OffloadedWork(observer: environment.observer, charging: (slot, endpoint)) { work($0) })
  }

  /// The current snapshot, or 503 before the first plan is served.
  func currentSnapshot() throws(HTTPError) -> Snapshot {
    guard let snapshot = environment.store.snapshot else {
      throw HTTPError(.serviceUnavailable, "no model is loaded yet; the first plan has not been applied")
    }
    return snapshot
  }

  /// Picks the slot for a request from its pin and sticky headers.
  func chooseSlot(
    _ snapshot: Snapshot,
    _ request: RESTRequest,
    pin explicitPin: String? = nil
  ) throws(HTTPError)
    -> ServingSlot
  {
    try routeRequest(snapshot, request, pin: explicitPin).slot
  }

  /// Picks the slot for a request from its pin and sticky headers, with why and the sticky key.
  func routeRequest(
    _ snapshot: Snapshot,
    _ request: RESTRequest,
    pin explicitPin: String? = nil
  ) throws(HTTPError)
    -> (slot: ServingSlot, reason: RouteReason, stickyKey: String?)
  {
    let pin = explicitPin ?? request.headers.first(name: SlotHeader.pin)
    let sticky = snapshot.stickyHeader.flatMap { request.headers.first(name: $0) }
    switch snapshot.route(pin: pin, stickyKey: sticky) {
    case .slot(let slot, let reason):
      return (slot, reason, sticky)
    case .unknownPin(let name):
      let known = snapshot.slots.map { "\($0.name) (\($0.version))" }.joined(separator: ", ")
      throw HTTPError(.notFound, "no slot or version '\(name)'; this server has \(known)")
    }
  }
}
