import HotswapCore
import NIOHTTP1

/// Open Inference Protocol (v2) over REST: `/v2`, `/v2/health/live|ready`,
/// `/v2/models/{name}[/versions/{version}]`, `…/ready` and `…/infer`, with JSON tensors and the
/// binary tensor data extension. A version in the path pins the slot holding it; without one an
/// inference is routed like `/predict` (pin header, sticky key, weights).
struct InferenceProtocolREST: Sendable {
  let environment: ServingEnvironment
  let target: InferenceTarget

  init(environment: ServingEnvironment) {
    self.environment = environment
    self.target = InferenceTarget(modelName: environment.modelName)
  }

  /// The parts of a `/v2/models/...` path.
  private struct ModelPath {
    var name: String
    var version: String?
    var action: Substring?
  }

  func route(_ request: RESTRequest) throws -> RouteResult {
    let segments = request.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst(2)
    do {
      switch Array(segments) {
      case []:
        try allow(request, [.GET, .HEAD])
        return .response(serverMetadata())
      case ["health", "live"]:
        try allow(request, [.GET, .HEAD])
        return .response(flag("live", true))
      case ["health", "ready"]:
        try allow(request, [.GET, .HEAD])
        let ready = environment.store.snapshot != nil
        return .response(flag("ready", ready, status: ready ? .ok : .serviceUnavailable))
      default:
        guard let path = Self.modelPath(Array(segments)) else {
          throw HTTPError(.notFound, "no Open Inference Protocol route for \(request.path)")
        }
        return try model(request, path)
      }
    } catch let error as InferenceError {
      return .response(error.httpError.response)
    }
  }

  private static func modelPath(_ segments: [Substring]) -> ModelPath? {
    guard segments.count >= 2, segments[0] == "models", !segments[1].isEmpty else { return nil }
    var path = ModelPath(name: String(segments[1]))
    var rest = segments.dropFirst(2)
    if rest.first == "versions" {
      guard rest.count >= 2, !rest[rest.startIndex + 1].isEmpty else { return nil }
      path.version = String(rest[rest.startIndex + 1])
      rest = rest.dropFirst(2)
    }
    guard rest.count <= 1 else { return nil }
    path.action = rest.first
    return path
  }

  private func model(_ request: RESTRequest, _ path: ModelPath) throws -> RouteResult {
    switch path.action {
    case nil:
      try allow(request, [.GET, .HEAD])
      let snapshot = try target.require(environment.store.snapshot)
      let slot = try target.describedSlot(in: snapshot, name: path.name, version: path.version)
      var writer = JSONWriter(capacity: 512)
      ModelMetadataDocument(name: environment.modelName, snapshot: snapshot, slot: slot).write(into: &writer)
      return .response(.json(.ok, writer))
    case "ready":
      try allow(request, [.GET, .HEAD])
      let snapshot = try target.require(environment.store.snapshot)
      _ = try target.describedSlot(in: snapshot, name: path.name, version: path.version)
      return .response(flag("ready", true))
    case "infer":
      try allow(request, [.POST])
      return try infer(request, path)
    default:
      throw HTTPError(
        .notFound,
        "no Open Inference Protocol route for \(request.path); try …/ready or …/infer"
      )
    }
  }

  private func infer(_ request: RESTRequest, _ path: ModelPath) throws -> RouteResult {
    let snapshot = try target.require(environment.store.snapshot)
    let pin = request.headers.first(name: SlotHeader.pin)
    let sticky = snapshot.stickyHeader.flatMap { request.headers.first(name: $0) }
    let (slot, reason) = try target.route(
      in: snapshot,
      name: path.name,
      version: path.version,
      pin: pin,
      stickyKey: sticky
    )
    let headerLength = try Self.headerLength(request.headers)
    let decoded = try InferenceRESTCodec.decode(Array(request.bodyBytes), headerLength: headerLength)
    let modelName = environment.modelName
    let observer = environment.observer
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
    let work: @Sendable () -> RESTResponse = {
      Self.run(
        decoded,
        on: slot,
        generation: generation,
        modelName: modelName,
        observer: observer,
        ticket: ticket
      )
    }
    if InferenceRunner.batchSize(decoded) > RESTRouter.inlineRowLimit { return .offload(work) }
    return .response(work())
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
        latency: ContinuousClock.now - start
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
    ticket?.served(.tensors(run.inputs), .tensors(run.outputs), latency: latency)
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

  private func serverMetadata() -> RESTResponse {
    var writer = JSONWriter()
    writer.beginObject()
    writer.key("name")
    writer.string(ServerMetadataDocument.name)
    writer.key("version")
    writer.string(environment.serverVersion)
    writer.key("extensions")
    writer.beginArray()
    for extensionName in ServerMetadataDocument.extensions { writer.string(extensionName) }
    writer.endArray()
    writer.endObject()
    return .json(.ok, writer)
  }

  private func flag(_ key: String, _ value: Bool, status: HTTPResponseStatus = .ok) -> RESTResponse {
    var writer = JSONWriter()
    writer.beginObject()
    writer.key(key)
    writer.bool(value)
    writer.endObject()
    return .json(status, writer)
  }

  private func allow(_ request: RESTRequest, _ methods: [HTTPMethod]) throws(HTTPError) {
    guard !methods.contains(request.method) else { return }
    let allowed = methods.map(\.rawValue).joined(separator: ", ")
    throw HTTPError(
      .methodNotAllowed,
      "\(request.method.rawValue) is not allowed on \(request.path); use \(allowed)",
      headers: ["Allow": allowed]
    )
  }
}
