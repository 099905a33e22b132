import HotswapCore
import HotswapProtos
import NIOCore

/// `inference.GRPCInferenceService`, the Open Inference Protocol over gRPC: liveness, readiness,
/// metadata and ModelInfer. A `model_version` pins the slot holding it; without one each call is
/// routed like REST (pin and sticky key from metadata, else the weights). The protocol's other
/// methods answer UNIMPLEMENTED (`GRPCMethod.route`).
struct InferenceServiceHandler: Sendable {
  let environment: ServingEnvironment
  let target: InferenceTarget

  /// Messages up to this size are decoded on the event loop; larger ones on the thread pool.
  static let inlineMessageBytes = 64 * 1024

  init(environment: ServingEnvironment) {
    self.environment = environment
    self.target = InferenceTarget(modelName: environment.modelName)
  }

  func serverLive(_ message: ByteBuffer) -> GRPCReply {
    GRPCCodec.answering { () throws(GRPCStatus) in
      _ = try GRPCCodec.decode(Inference_ServerLiveRequest.self, message)
      var response = Inference_ServerLiveResponse()
      response.live = true
      return GRPCCodec.reply(response)
    }
  }

  func serverReady(_ message: ByteBuffer) -> GRPCReply {
    GRPCCodec.answering { () throws(GRPCStatus) in
      _ = try GRPCCodec.decode(Inference_ServerReadyRequest.self, message)
      var response = Inference_ServerReadyResponse()
      response.ready = environment.store.snapshot != nil
      return GRPCCodec.reply(response)
    }
  }

  func modelReady(_ head: GRPCRequestHead, _ message: ByteBuffer) -> GRPCReply {
    GRPCCodec.answering { () throws(GRPCStatus) in
      let request = try GRPCCodec.decode(Inference_ModelReadyRequest.self, message)
      let (_, slot) = try describedSlot(name: request.name, version: request.version)
      var response = Inference_ModelReadyResponse()
      response.ready = true
      return GRPCCodec.reply(response, metadata: GRPCSlotRouting.metadata(slot))
    }
  }

  func serverMetadata(_ message: ByteBuffer) -> GRPCReply {
    GRPCCodec.answering { () throws(GRPCStatus) in
      _ = try GRPCCodec.decode(Inference_ServerMetadataRequest.self, message)
      var response = Inference_ServerMetadataResponse()
      response.name = ServerMetadataDocument.name
      response.version = environment.serverVersion
      response.extensions = ServerMetadataDocument.extensions
      return GRPCCodec.reply(response)
    }
  }

  func modelMetadata(_ head: GRPCRequestHead, _ message: ByteBuffer) -> GRPCReply {
    GRPCCodec.answering { () throws(GRPCStatus) in
      let request = try GRPCCodec.decode(Inference_ModelMetadataRequest.self, message)
      let (snapshot, slot) = try describedSlot(name: request.name, version: request.version)
      let document = ModelMetadataDocument(name: environment.modelName, snapshot: snapshot, slot: slot)
      var response = Inference_ModelMetadataResponse()
      response.name = document.name
      response.versions = document.versions
      response.platform = document.platform
      response.inputs = document.inputs.map(Self.tensor)
      response.outputs = document.outputs.map(Self.tensor)
      return GRPCCodec.reply(response, metadata: GRPCSlotRouting.metadata(slot))
    }
  }

  /// ModelInfer: small requests on the event loop, large messages and batches of more than
  /// `RESTRouter.inlineRowLimit` rows on the thread pool, as REST does.
  func modelInfer(_ head: GRPCRequestHead, _ message: ByteBuffer) -> GRPCAnswer {
    guard message.readableBytes <= Self.inlineMessageBytes else {
      return .offload { ticket in
        GRPCCodec.answering { () throws(GRPCStatus) in
          let request = try GRPCCodec.decode(Inference_ModelInferRequest.self, message)
          return try infer(request, head, ticket: ticket)
        }
      }
    }
    let request: Inference_ModelInferRequest
    let slot: ServingSlot
    let tap: PredictionTicket?
    let decoded: InferRequest
    do throws(GRPCStatus) {
      request = try GRPCCodec.decode(Inference_ModelInferRequest.self, message)
      (slot, tap) = try route(request, head)
      do throws(InferenceError) {
        decoded = try GRPCInferMessages.request(request)
      } catch {
        return .reply(GRPCReply(error.grpcStatus, metadata: GRPCSlotRouting.metadata(slot)))
      }
    } catch {
      return .reply(GRPCReply(error))
    }
    guard InferenceRunner.batchSize(decoded) <= RESTRouter.inlineRowLimit else {
      return .offload { ticket in run(decoded, on: slot, ticket: ticket, tap: tap) }
    }
    return .reply(run(decoded, on: slot, ticket: nil, tap: tap))
  }

  private func infer(
    _ request: Inference_ModelInferRequest,
    _ head: GRPCRequestHead,
    ticket: GRPCWorkTicket
  ) throws(GRPCStatus) -> GRPCReply {
    let (slot, tap) = try route(request, head)
    do throws(InferenceError) {
      return run(try GRPCInferMessages.request(request), on: slot, ticket: ticket, tap: tap)
    } catch {
      return GRPCReply(error.grpcStatus, metadata: GRPCSlotRouting.metadata(slot))
    }
  }

  /// The slot for the call, and its prediction tap ticket when a consumer takes it.
  private func route(
    _ request: Inference_ModelInferRequest,
    _ head: GRPCRequestHead
  ) throws(GRPCStatus)
    -> (ServingSlot, PredictionTicket?)
  {
    do throws(InferenceError) {
      let snapshot = try target.require(environment.store.snapshot)
      let stickyKey = GRPCSlotRouting.stickyKey(head, snapshot)
      let (slot, reason) = try target.route(
        in: snapshot,
        name: request.modelName,
        version: request.modelVersion,
        pin: head.pin,
        stickyKey: stickyKey
      )
      let tap = environment.predictions.ticket(
        for: PredictionRequest(
          snapshot: snapshot,
          slot: slot,
          reason: reason,
          wireProtocol: .grpc,
          endpoint: GRPCMethod.modelInfer.endpoint
        ),
        stickyKey: stickyKey
      )
      return (slot, tap)
    } catch {
      throw error.grpcStatus
    }
  }

  /// Runs the model and observes the call; a run that ends after the call's deadline counts as
  /// the slot's error (its answer is not sent). An answer that is sent goes to the prediction tap.
  private func run(
    _ decoded: InferRequest,
    on slot: ServingSlot,
    ticket: GRPCWorkTicket?,
    tap: PredictionTicket?
  ) -> GRPCReply {
    let metadata = GRPCSlotRouting.metadata(slot)
    let start = ContinuousClock.now
    let result: Result<InferenceRunner.Run, InferenceError>
    do throws(InferenceError) {
      result = .success(try InferenceRunner(session: slot.model.session).runKeepingTensors(decoded))
    } catch {
      result = .failure(error)
    }
    let latency = ContinuousClock.now - start
    var outcome: RequestObservation.Outcome
    switch result {
    case .success: outcome = .success
    case .failure(let error): outcome = error.code == .internal ? .serverError : .clientError
    }
    if ticket?.abandonment == .deadline { outcome = .serverError }
    environment.observer.observe(
      RequestObservation(
        slot: slot.name,
        version: slot.version,
        wireProtocol: .grpc,
        endpoint: GRPCMethod.modelInfer.endpoint,
        outcome: outcome,
        duration: latency
      )
    )
    let answered = (ticket?.abandonment ?? GRPCWorkTicket.Abandonment.none) == GRPCWorkTicket.Abandonment.none
    switch result {
    case .success(let run):
      let response = GRPCInferMessages.response(
        run.result,
        model: environment.modelName,
        version: slot.version
      )
      let reply = GRPCCodec.reply(response, metadata: metadata)
      if answered { tap?.served(.tensors(run.inputs), .tensors(run.outputs), latency: latency) }
      return reply
    case .failure(let error):
      if answered {
        tap?.served(
          .tensors([]),
          .failed(message: error.message, serverSide: error.code == .internal),
          latency: latency
        )
      }
      return GRPCReply(error.grpcStatus, metadata: metadata)
    }
  }

  private func describedSlot(name: String, version: String) throws(GRPCStatus) -> (Snapshot, ServingSlot) {
    do throws(InferenceError) {
      let snapshot = try target.require(environment.store.snapshot)
      return (snapshot, try target.describedSlot(in: snapshot, name: name, version: version))
    } catch {
      throw error.grpcStatus
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
}
