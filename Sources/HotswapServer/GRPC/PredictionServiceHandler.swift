import GRPCCore
import HotswapCore
import HotswapProtos

/// The seed's `PredictionService` (`hotswap.v1`): Health and Predict, each RPC routed on its own
/// (pin and sticky key from metadata, else the weights), the serving slot and version in the
/// response and its metadata.
struct PredictionServiceHandler: Hotswap_V1_PredictionService.ServiceProtocol {
  let environment: ServingEnvironment

  /// Answers `status: "ok"` with the version of the slot this call was routed to.
  func health(
    request: ServerRequest<Hotswap_V1_HealthRequest>,
    context: ServerContext
  ) async throws
    -> ServerResponse<Hotswap_V1_HealthResponse>
  {
    let snapshot = try GRPCSlotRouting.snapshot(environment)
    let slot = try GRPCSlotRouting.slot(snapshot, request.metadata)
    var response = Hotswap_V1_HealthResponse()
    response.status = "ok"
    response.modelVersion = slot.version
    response.slot = slot.name
    return GRPCSlotRouting.response(response, servedBy: slot)
  }

  /// Predicts the class of one row of features.
  func predict(
    request: ServerRequest<Hotswap_V1_PredictRequest>,
    context: ServerContext
  ) async throws
    -> ServerResponse<Hotswap_V1_PredictResponse>
  {
    let snapshot = try GRPCSlotRouting.snapshot(environment)
    let slot = try GRPCSlotRouting.slot(snapshot, request.metadata)
    let start = ContinuousClock.now
    let outcome: Result<Hotswap_V1_PredictResponse, RPCError> = Self.predict(
      request.message.features,
      on: slot
    )
    let observation = RequestObservation(
      slot: slot.name,
      version: slot.version,
      wireProtocol: .grpc,
      endpoint: "Predict",
      outcome: Self.outcome(outcome),
      duration: ContinuousClock.now - start
    )
    environment.observer.observe(observation)
    return GRPCSlotRouting.response(try outcome.get(), servedBy: slot)
  }

  static func predict(
    _ features: [Float],
    on slot: ServingSlot
  ) -> Result<Hotswap_V1_PredictResponse, RPCError> {
    let schema = slot.model.schema
    guard features.count == schema.featureCount else {
      return .failure(
        error(
          .invalidArgument,
          "'features' has \(features.count) values; model \(slot.version) takes \(schema.featureCount) "
            + "(\(schema.featureNames.joined(separator: ", ")))",
          slot
        )
      )
    }
    let prediction: Prediction
    do {
      prediction = try slot.model.predict(rows: [features.map { .number(Double($0)) }])[0]
    } catch {
      return .failure(
        Self.error(error.code == .inferenceFailed ? .internalError : .invalidArgument, error.message, slot)
      )
    }
    var response = Hotswap_V1_PredictResponse()
    switch prediction.value {
    case .integer(let label):
      response.prediction = label
    case .string(let label):
      guard let number = Int64(label) else {
        return .failure(
          error(
            .failedPrecondition,
            "model \(slot.version) predicts the label '\(label)', not a class number; use REST /predict or ModelInfer",
            slot
          )
        )
      }
      response.prediction = number
    case .number, .numbers:
      return .failure(
        error(
          .failedPrecondition,
          "model \(slot.version) is not a classifier; use REST /predict or ModelInfer",
          slot
        )
      )
    }
    response.confidence = Float(prediction.confidence ?? 0)
    response.modelVersion = slot.version
    response.slot = slot.name
    return .success(response)
  }

  private static func error(_ code: RPCError.Code, _ message: String, _ slot: ServingSlot) -> RPCError {
    RPCError(code: code, message: message, metadata: GRPCSlotRouting.metadata(slot))
  }

  static func outcome<T>(_ result: Result<T, RPCError>) -> RequestObservation.Outcome {
    switch result {
    case .success: .success
    case .failure(let error): error.code == .internalError ? .serverError : .clientError
    }
  }
}
