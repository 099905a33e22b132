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

  /// Predicts the class of one row of features, and hands what it served to the prediction tap.
  func predict(_ head: GRPCRequestHead, _ message: ByteBuffer) -> GRPCReply {
    GRPCCodec.answering { () throws(GRPCStatus) in
      let request = try GRPCCodec.decode(Hotswap_V1_PredictRequest.self, message)
      let snapshot = try GRPCSlotRouting.snapshot(environment)
      let (slot, reason, stickyKey) = try GRPCSlotRouting.route(snapshot, head)
      let metadata = GRPCSlotRouting.metadata(slot)
      let ticket = environment.predictions.ticket(
        for: PredictionRequest(
          snapshot: snapshot,
          slot: slot,
          reason: reason,
          wireProtocol: .grpc,
          endpoint: GRPCMethod.predict.endpoint
        ),
        stickyKey: stickyKey
      )
      let start = ContinuousClock.now
      let (outcome, prediction) = Self.predict(request.features, on: slot)
      let latency = ContinuousClock.now - start
      environment.observer.observe(
        RequestObservation(
          slot: slot.name,
          version: slot.version,
          wireProtocol: .grpc,
          endpoint: GRPCMethod.predict.endpoint,
          outcome: Self.outcome(outcome),
          duration: latency
        )
      )
      let reply: GRPCReply
      switch outcome {
      case .success(let response): reply = GRPCCodec.reply(response, metadata: metadata)
      case .failure(let status): reply = GRPCReply(status, metadata: metadata)
      }
      if let ticket {
        // The float's own shortest form (5.8, not 5.800000190734863), as the client wrote it.
        let row: [FeatureValue] = request.features.map { .number(Double($0.description) ?? Double($0)) }
        switch (outcome, prediction) {
        case (.success, let prediction?):
          ticket.served(.rows([row]), .predictions([prediction]), latency: latency)
        case (.failure(let status), _):
          ticket.served(
            .rows([row]),
            .failed(message: status.message, serverSide: status.code == .internal),
            latency: latency
          )
        case (.success, nil):
          break
        }
      }
      return reply
    }
  }

  /// The answer to one row, and the model's prediction when it made one (a prediction the
  /// seed's message cannot carry — a string label, a regressor's value — is a failed call that
  /// still has one).
  static func predict(
    _ features: [Float],
    on slot: ServingSlot
  ) -> (Result<Hotswap_V1_PredictResponse, GRPCStatus>, Prediction?) {
    let schema = slot.model.schema
    guard features.count == schema.featureCount else {
      let status = GRPCStatus(
        .invalidArgument,
        "'features' has \(features.count) values; model \(slot.version) takes \(schema.featureCount) "
          + "(\(schema.featureNames.joined(separator: ", ")))"
      )
      return (.failure(status), nil)
    }
    let prediction: Prediction
    do {
      prediction = try slot.model.predict(rows: [features.map { .number(Double($0)) }])[0]
    } catch {
      let status = GRPCStatus(error.code == .inferenceFailed ? .internal : .invalidArgument, error.message)
      return (.failure(status), nil)
    }
    var response = Hotswap_V1_PredictResponse()
    switch prediction.value {
    case .integer(let label):
      response.prediction = label
    case .string(let label):
      guard let number = Int64(label) else {
        let status = GRPCStatus(
          .failedPrecondition,
          "model \(slot.version) predicts the label '\(label)', not a class number; use REST /predict or ModelInfer"
        )
        return (.failure(status), prediction)
      }
      response.prediction = number
    case .number, .numbers:
      let status = GRPCStatus(
        .failedPrecondition,
        "model \(slot.version) is not a classifier; use REST /predict or ModelInfer"
      )
      return (.failure(status), prediction)
    }
    response.confidence = Float(prediction.confidence ?? 0)
    response.modelVersion = slot.version
    response.slot = slot.name
    return (.success(response), prediction)
  }

  static func outcome<T>(_ result: Result<T, GRPCStatus>) -> RequestObservation.Outcome {
    switch result {
    case .success: .success
    case .failure(let status): status.code == .internal ? .serverError : .clientError
    }
  }
}
