import HotswapCore
import HotswapProtos
import NIOCore

/// The seed's `PredictionService` (`hotswap.v1`): Health and Predict, each call routed on its own
/// (pin and sticky key from metadata, else the weights), the serving slot and version in the
/// response and its metadata. One row per call, answered on the event loop.
struct PredictionServiceHandler: Sendable {
  let environment: ServingEnvironment

  /// Answers `status: "ok"` with the version of the slot this call was routed to.
  func health(_ head: GRPCRequestHead, _ message: ByteBuffer) -> GRPCReply {
    GRPCCodec.answering { () throws(GRPCStatus) in
      _ = try GRPCCodec.decode(Hotswap_V1_HealthRequest.self, message)
      let slot = try GRPCSlotRouting.slot(try GRPCSlotRouting.snapshot(environment), head)
      var response = Hotswap_V1_HealthResponse()
      response.status = "ok"
      response.modelVersion = slot.version
      response.slot = slot.name
      return GRPCCodec.reply(response, metadata: GRPCSlotRouting.metadata(slot))
    }
  }

  /// Predicts the class of one row of features.
  func predict(_ head: GRPCRequestHead, _ message: ByteBuffer) -> GRPCReply {
    GRPCCodec.answering { () throws(GRPCStatus) in
      let request = try GRPCCodec.decode(Hotswap_V1_PredictRequest.self, message)
      let slot = try GRPCSlotRouting.slot(try GRPCSlotRouting.snapshot(environment), head)
      let metadata = GRPCSlotRouting.metadata(slot)
      let start = ContinuousClock.now
      let outcome = Self.predict(request.features, on: slot)
      environment.observer.observe(
        RequestObservation(
          slot: slot.name,
          version: slot.version,
          wireProtocol: .grpc,
          endpoint: GRPCMethod.predict.endpoint,
          outcome: Self.outcome(outcome),
          duration: ContinuousClock.now - start
        )
      )
      switch outcome {
      case .success(let response): return GRPCCodec.reply(response, metadata: metadata)
      case .failure(let status): return GRPCReply(status, metadata: metadata)
      }
    }
  }

  static func predict(
    _ features: [Float],
    on slot: ServingSlot
  ) -> Result<Hotswap_V1_PredictResponse, GRPCStatus> {
    let schema = slot.model.schema
    guard features.count == schema.featureCount else {
      return .failure(
        GRPCStatus(
          .invalidArgument,
          "'features' has \(features.count) values; model \(slot.version) takes \(schema.featureCount) "
            + "(\(schema.featureNames.joined(separator: ", ")))"
        )
      )
    }
    let prediction: Prediction
    do {
      prediction = try slot.model.predict(rows: [features.map { .number(Double($0)) }])[0]
    } catch {
      return .failure(
        GRPCStatus(error.code == .inferenceFailed ? .internal : .invalidArgument, error.message)
      )
    }
    var response = Hotswap_V1_PredictResponse()
    switch prediction.value {
    case .integer(let label):
      response.prediction = label
    case .string(let label):
      guard let number = Int64(label) else {
        return .failure(
          GRPCStatus(
            .failedPrecondition,
            "model \(slot.version) predicts the label '\(label)', not a class number; use REST /predict or ModelInfer"
          )
        )
      }
      response.prediction = number
    case .number, .numbers:
      return .failure(
        GRPCStatus(
          .failedPrecondition,
          "model \(slot.version) is not a classifier; use REST /predict or ModelInfer"
        )
      )
    }
    response.confidence = Float(prediction.confidence ?? 0)
    response.modelVersion = slot.version
    response.slot = slot.name
    return .success(response)
  }

  static func outcome<T>(_ result: Result<T, GRPCStatus>) -> RequestObservation.Outcome {
    switch result {
    case .success: .success
    case .failure(let status): status.code == .internal ? .serverError : .clientError
    }
  }
}
