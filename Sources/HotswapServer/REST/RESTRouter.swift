import HotswapCore
import NIOHTTP1

/// Maps a request to its route. Routes are synchronous and never block: small predictions run
/// inline (microseconds), large batches are handed back as `.offload`.
public struct RESTRouter: Sendable {
  /// Batches with more rows than this run on the thread pool instead of the event loop.
  public static let inlineRowLimit = 64

  let environment: ServingEnvironment
  let inference: InferenceProtocolREST

  /// Creates a router over an environment.
  public init(environment: ServingEnvironment) {
    self.environment = environment
    self.inference = InferenceProtocolREST(environment: environment)
  }

  /// Routes one request.
  public func route(_ request: RESTRequest) -> RouteResult {
    do {
      return try dispatch(request)
    } catch let error as HTTPError {
      return .response(error.response)
    } catch {
      return .response(HTTPError(.internalServerError, "internal error: \(error)").response)
    }
  }

  private func dispatch(_ request: RESTRequest) throws -> RouteResult {
    switch request.path {
    case "/health", "/healthz":
      try allow(request, [.GET, .HEAD])
      return .response(health(request))
    case "/predict":
      try allow(request, [.POST])
      return try predict(request)
    case "/status":
      try allow(request, [.GET, .HEAD])
      return .response(status())
    case "/metrics", "/":
      try allow(request, [.GET, .HEAD])
      return .response(request.path == "/" ? statusPage() : try metrics())
    default:
      if request.path == "/v2" || request.path.hasPrefix("/v2/") {
        return try inference.route(request)
      }
      throw HTTPError(
        .notFound,
        "no route for \(request.method.rawValue) \(request.path); try GET /health, POST /predict, GET /status or /v2"
      )
    }
  }

  /// Throws 405 with an `Allow` header unless the method is one of `methods`.
  func allow(_ request: RESTRequest, _ methods: [HTTPMethod]) throws(HTTPError) {
    guard !methods.contains(request.method) else { return }
    let allowed = methods.map(\.rawValue).joined(separator: ", ")
    throw HTTPError(
      .methodNotAllowed,
      "\(request.method.rawValue) is not allowed on \(request.path); use \(allowed)",
      headers: ["Allow": allowed]
    )
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
