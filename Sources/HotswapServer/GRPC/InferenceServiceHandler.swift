import GRPCCore
import HotswapCore
import HotswapProtos

/// `inference.GRPCInferenceService`, the Open Inference Protocol over gRPC: liveness, readiness,
/// metadata and ModelInfer. A `model_version` pins the slot holding it; without one each call is
/// routed like REST (pin and sticky key from metadata, else the weights). Every other method of
/// the service answers UNIMPLEMENTED (see `InferenceServiceHandler+Unimplemented.swift`).
struct InferenceServiceHandler: Inference_GRPCInferenceService.ServiceProtocol {
  let environment: ServingEnvironment
  let target: InferenceTarget

  init(environment: ServingEnvironment) {
    self.environment = environment
    self.target = InferenceTarget(modelName: environment.modelName)
  }

  func serverLive(
    request: ServerRequest<Inference_ServerLiveRequest>,
    context: ServerContext
  ) async throws
    -> ServerResponse<Inference_ServerLiveResponse>
  {
    var response = Inference_ServerLiveResponse()
    response.live = true
    return ServerResponse(message: response)
  }

  func serverReady(
    request: ServerRequest<Inference_ServerReadyRequest>,
    context: ServerContext
  ) async throws
    -> ServerResponse<Inference_ServerReadyResponse>
  {
    var response = Inference_ServerReadyResponse()
    response.ready = environment.store.snapshot != nil
    return ServerResponse(message: response)
  }

  func modelReady(
    request: ServerRequest<Inference_ModelReadyRequest>,
    context: ServerContext
  ) async throws
    -> ServerResponse<Inference_ModelReadyResponse>
  {
    try Self.mapping {
      let snapshot = try target.require(environment.store.snapshot)
      let slot = try target.describedSlot(
        in: snapshot,
        name: request.message.name,
        version: request.message.version
      )
      var response = Inference_ModelReadyResponse()
      response.ready = true
      return GRPCSlotRouting.response(response, servedBy: slot)
    }
  }

  func serverMetadata(
    request: ServerRequest<Inference_ServerMetadataRequest>,
    context: ServerContext
  ) async throws
    -> ServerResponse<Inference_ServerMetadataResponse>
  {
    var response = Inference_ServerMetadataResponse()
    response.name = ServerMetadataDocument.name
    response.version = environment.serverVersion
    response.extensions = ServerMetadataDocument.extensions
    return ServerResponse(message: response)
  }

  func modelMetadata(
    request: ServerRequest<Inference_ModelMetadataRequest>,
    context: ServerContext
  ) async throws
    -> ServerResponse<Inference_ModelMetadataResponse>
  {
    try Self.mapping {
      let snapshot = try target.require(environment.store.snapshot)
      let slot = try target.describedSlot(
        in: snapshot,
        name: request.message.name,
        version: request.message.version
      )
      let document = ModelMetadataDocument(name: environment.modelName, snapshot: snapshot, slot: slot)
      var response = Inference_ModelMetadataResponse()
      response.name = document.name
      response.versions = document.versions
      response.platform = document.platform
      response.inputs = document.inputs.map(Self.tensor)
      response.outputs = document.outputs.map(Self.tensor)
      return GRPCSlotRouting.response(response, servedBy: slot)
    }
  }

  func modelInfer(
    request: ServerRequest<Inference_ModelInferRequest>,
    context: ServerContext
  ) async throws
    -> ServerResponse<Inference_ModelInferResponse>
  {
    let message = request.message
    let slot = try Self.mapping {
      let snapshot = try target.require(environment.store.snapshot)
      return try target.slot(
        in: snapshot,
        name: message.modelName,
        version: message.modelVersion,
        pin: GRPCSlotRouting.pin(request.metadata),
        stickyKey: GRPCSlotRouting.stickyKey(request.metadata, snapshot)
      )
    }
    let start = ContinuousClock.now
    let result: Result<InferResult, InferenceError>
    do throws(InferenceError) {
      let decoded = try GRPCInferMessages.request(message)
      result = .success(try InferenceRunner(session: slot.model.session).run(decoded))
    } catch {
      result = .failure(error)
    }
    let outcome: RequestObservation.Outcome
    switch result {
    case .success: outcome = .success
    case .failure(let error): outcome = error.code == .internal ? .serverError : .clientError
    }
    environment.observer.observe(
      RequestObservation(
        slot: slot.name,
        version: slot.version,
        wireProtocol: .grpc,
        endpoint: "ModelInfer",
        outcome: outcome,
        duration: ContinuousClock.now - start
      )
    )
    switch result {
    case .success(let inferred):
      let response = GRPCInferMessages.response(inferred, model: environment.modelName, version: slot.version)
      return GRPCSlotRouting.response(response, servedBy: slot)
    case .failure(let error):
      throw error.rpcError(metadata: GRPCSlotRouting.metadata(slot))
    }
  }

  private static func tensor(
    _ tensor: ModelMetadataDocument.TensorMetadata
  ) -> Inference_ModelMetadataResponse.TensorMetadata {
    var metadata = Inference_ModelMetadataResponse.TensorMetadata()
    metadata.name = tensor.name
    metadata.datatype = tensor.datatype
    metadata.shape = tensor.shape
    return metadata
  }

  /// Runs `body`, turning an `InferenceError` into its gRPC status.
  private static func mapping<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as InferenceError {
      throw error.rpcError()
    }
  }
}
