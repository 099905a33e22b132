import HotswapCore
import HotswapJSON
import NIOHTTP1

/// The Open Inference Protocol (v2) routes over REST (listed in `RESTRouter+Routes.swift`):
/// health, server and model metadata, readiness and `…/infer`, with JSON tensors and the binary
/// tensor data extension. A version in the path pins the slot holding it; without one an
/// inference is routed like `/predict` (pin header, sticky key, weights).
struct InferenceProtocolREST: Sendable {
  let environment: ServingEnvironment
  let target: InferenceTarget

  init(environment: ServingEnvironment) {
    self.environment = environment
    self.target = InferenceTarget(modelName: environment.modelName)
  }

  /// `GET /v2`.
  func serverMetadata() -> RESTResponse {
    var writer = JSONWriter()
    writer.beginObject()
    writer.key("name")
    writer.string(ServerMetadataDocument.name)
    writer.key("version")
    writer.string(environment.serverVersion)
    writer.key("extensions")
    writer.strings(ServerMetadataDocument.extensions)
    writer.endObject()
    return .json(.ok, writer)
  }

  /// `GET /v2/health/live`.
  func live() -> RESTResponse {
    flag("live", true)
  }

  /// `GET /v2/health/ready`: 503 until the first plan is served.
  func ready() -> RESTResponse {
    let ready = environment.store.snapshot != nil
    return flag("ready", ready, status: ready ? .ok : .serviceUnavailable)
  }

  /// `GET /v2/models/{model}[/versions/{version}]`.
  func modelMetadata(_ parameters: RouteParameters) throws(InferenceError) -> RESTResponse {
    let snapshot = try target.require(environment.store.snapshot)
    let slot = try target.describedSlot(
      in: snapshot,
      name: parameters["model"] ?? "",
      version: parameters["version"]
    )
    var writer = JSONWriter(capacity: 512)
    ModelMetadataDocument(name: environment.modelName, snapshot: snapshot, slot: slot).write(into: &writer)
    return .json(.ok, writer)
  }

  /// `GET /v2/models/{model}[/versions/{version}]/ready`.
  func modelReady(_ parameters: RouteParameters) throws(InferenceError) -> RESTResponse {
    let snapshot = try target.require(environment.store.snapshot)
    _ = try target.describedSlot(
      in: snapshot,
      name: parameters["model"] ?? "",
      version: parameters["version"]
    )
    return flag("ready", true)
  }

  /// `POST /v2/models/{model}[/versions/{version}]/infer`.
  func infer(_ request: RESTRequest, _ router: RESTRouter, _ context: RouteContext) throws -> RouteResult {
    let snapshot = try target.require(environment.store.snapshot)
    let pin = request.headers.first(name: SlotHeader.pin)
    let sticky = snapshot.stickyHeader.flatMap { request.headers.first(name: $0) }
    let (slot, reason) = try target.route(
      in: snapshot,
      name: context.parameters["model"] ?? "",
      version: context.parameters["version"],
      pin: pin,
      stickyKey: sticky
    )
    let headerLength = try Self.headerLength(request.headers)
    let decoded = try InferenceRESTCodec.decode(Array(request.bodyBytes), headerLength: headerLength)
    let modelName = environment.modelName
    let generation = snapshot.generation
    let ticket = environment.predictions.ticket(
      for: PredictionRequest(
        snapshot: snapshot,
        slot: slot,
        reason: reason,
        wireProtocol: .rest,
        endpoint: "infer"
      ),
      stickyKey: sticky
    )
    guard router.runsHere(rows: InferenceRunner.batchSize(decoded), context) else {
      return router.offload(on: slot, endpoint: "infer") { observer in
        Self.run(
          decoded,
          on: slot,
          generation: generation,
          modelName: modelName,
          observer: observer,
          ticket: ticket
        )
      }
    }
    let observer = router.observer(running: slot, endpoint: "infer", context)
    return .response(
      Self.run(
        decoded,
        on: slot,
        generation: generation,
        modelName: modelName,
        observer: observer,
        ticket: ticket
      )
    )
  }

  private static func run(
    _ request: InferRequest,
    on slot: ServingSlot,
    generation: UInt64,
    modelName: String,
    observer: any RequestObserver,
    ticket: PredictionTicket?
  ) -> RESTResponse {
    let start = ContinuousClock.now
    let headers = RESTRouter.slotHeaders(slot, generation: generation)
    func observe(_ outcome: RequestObservation.Outcome) {
      observer.observe(
        RequestObservation(
          slot: slot.name,
          version: slot.version,
          wireProtocol: .rest,
          endpoint: "infer",
          outcome: outcome,
          duration: ContinuousClock.now - start
        )
      )
    }
    let run: InferenceRunner.Run
    do {
      run = try InferenceRunner(session: slot.model.session).runKeepingTensors(request)
    } catch {
      observe(error.code == .internal ? .serverError : .clientError)
      var response = error.httpError.response
      response.headers.add(contentsOf: headers)
      ticket?.served(
        .tensors([]),
        .failed(message: error.message, serverSide: error.code == .internal),
        latency: ContinuousClock.now - start,
        reportingTo: observer
      )
      return response
    }
    let latency = ContinuousClock.now - start
    observe(.success)
    let encoded = InferenceRESTCodec.encode(run.result, model: modelName, version: slot.version)
    var responseHeaders = headers
    if let length = encoded.headerLength {
      responseHeaders.add(name: "Content-Type", value: "application/octet-stream")
      responseHeaders.add(name: "Inference-Header-Content-Length", value: String(length))
    } else {
      responseHeaders.add(name: "Content-Type", value: "application/json")
    }
    let response = RESTResponse(status: .ok, headers: responseHeaders, body: encoded.body)
    ticket?.served(.tensors(run.inputs), .tensors(run.outputs), latency: latency, reportingTo: observer)
    return response
  }

  private static func headerLength(_ headers: HTTPHeaders) throws(HTTPError) -> Int? {
    guard let value = headers.first(name: "inference-header-content-length") else { return nil }
    guard let length = Int(value), length >= 0 else {
      throw HTTPError(
        .badRequest,
        "Inference-Header-Content-Length must be a non-negative integer, got '\(value)'"
      )
    }
    return length
  }

  private func flag(_ key: String, _ value: Bool, status: HTTPResponseStatus = .ok) -> RESTResponse {
    var writer = JSONWriter()
    writer.beginObject()
    writer.key(key)
    writer.bool(value)
    writer.endObject()
    return .json(status, writer)
  }
}
