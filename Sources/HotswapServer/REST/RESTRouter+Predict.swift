import HotswapCore
import HotswapJSON
import NIOHTTP1

extension RESTRouter {
  /// Most rows one `/predict` request may carry.
  static let maxRowsPerRequest = 100_000

  /// How `/predict` bodies are read: strict JSON, and no array or object longer than the row
  /// limit — so a body of a million rows is refused while parsing, before its rows exist.
  static let predictJSON = JSONParser.Options(maxContainerCount: maxRowsPerRequest)

  /// `POST /predict`: decode the rows, pick the slot, predict, answer with the slot and version.
  func predict(_ request: RESTRequest, _ context: RouteContext) throws -> RouteResult {
    let snapshot = try currentSnapshot()
    let (slot, reason, stickyKey) = try routeRequest(snapshot, request)
    let body: JSONValue
    do {
      body = try JSONParser.parse(request.bodyBytes, options: Self.predictJSON)
    } catch  where error.isLimit {
      throw HTTPError(
        .payloadTooLarge,
        "the body has \(error.message); the limit is \(Self.maxRowsPerRequest) rows per request"
      )
    } catch {
      throw HTTPError(.badRequest, "invalid JSON: \(error)")
    }
    let decoder = PredictRequestDecoder(
      featureNames: slot.model.schema.featureNames,
      maxRows: Self.maxRowsPerRequest
    )
    let decoded = try decoder.decode(body)
    let generation = snapshot.generation
    let ticket = environment.predictions.ticket(
      for: PredictionRequest(
        snapshot: snapshot,
        slot: slot,
        reason: reason,
        wireProtocol: .rest,
        endpoint: "predict"
      ),
      stickyKey: stickyKey
    )
    guard runsHere(rows: decoded.rows.count, context) else {
      return offload(on: slot, endpoint: "predict") { observer in
        Self.runPrediction(decoded, on: slot, generation: generation, observer: observer, ticket: ticket)
      }
    }
    let observer = observer(running: slot, endpoint: "predict", context)
    return .response(
      Self.runPrediction(decoded, on: slot, generation: generation, observer: observer, ticket: ticket)
    )
  }

  static func runPrediction(
    _ body: PredictRequestBody,
    on slot: ServingSlot,
    generation: UInt64,
    observer: any RequestObserver,
    ticket: PredictionTicket? = nil
  )
    -> RESTResponse
  {
    let start = ContinuousClock.now
    let predictions: [Prediction]
    do {
      predictions = try slot.model.predict(rows: body.rows)
    } catch {
      let serverSide = error.code == .inferenceFailed
      observer.observe(
        RequestObservation(
          slot: slot.name,
          version: slot.version,
          wireProtocol: .rest,
          endpoint: "predict",
          outcome: serverSide ? .serverError : .clientError,
          duration: ContinuousClock.now - start
        )
      )
      var response = HTTPError(serverSide ? .internalServerError : .badRequest, error.message).response
      response.headers.add(contentsOf: slotHeaders(slot, generation: generation))
      ticket?.served(
        .rows(body.rows),
        .failed(message: error.message, serverSide: serverSide),
        latency: ContinuousClock.now - start,
        reportingTo: observer
      )
      return response
    }
    let latency = ContinuousClock.now - start
    observer.observe(
      RequestObservation(
        slot: slot.name,
        version: slot.version,
        wireProtocol: .rest,
        endpoint: "predict",
        outcome: .success,
        duration: latency
      )
    )
    var writer = JSONWriter(capacity: 128 + predictions.count * 64)
    writer.beginObject()
    switch body.form {
    case .instances:
      writer.key("predictions")
      writer.beginArray()
      for prediction in predictions {
        writer.beginObject()
        write(prediction, classNames: slot.model.schema, into: &writer, asList: false)
        writer.endObject()
      }
      writer.endArray()
    case .x:
      write(predictions[0], classNames: slot.model.schema, into: &writer, asList: true)
    case .features, .named:
      write(predictions[0], classNames: slot.model.schema, into: &writer, asList: false)
    }
    writer.key("model_version")
    writer.string(slot.version)
    writer.key("slot")
    writer.string(slot.name)
    writer.endObject()
    let response = RESTResponse.json(.ok, writer, headers: slotHeaders(slot, generation: generation))
    ticket?.served(.rows(body.rows), .predictions(predictions), latency: latency, reportingTo: observer)
    return response
  }

  /// One prediction's members as `/predict` answers them: `prediction` (in a list for `{"x":…}`
  /// requests), `class_name`, `confidence` and, unless `probabilities` is false, `probabilities`.
  static func write(
    _ prediction: Prediction,
    classNames schema: ModelSchema,
    into writer: inout JSONWriter,
    asList: Bool,
    probabilities: Bool = true
  ) {
    writer.key("prediction")
    if asList { writer.beginArray() }
    writer.predictionValue(prediction.value)
    if asList { writer.endArray() }
    if let className = prediction.className {
      writer.key("class_name")
      writer.string(className)
    }
    if let confidence = prediction.confidence {
      writer.key("confidence")
      writer.number(Float(confidence))
    }
    if probabilities, let probabilities = prediction.probabilities {
      writer.key("probabilities")
      writer.beginObject()
      let labels = probabilityLabels(schema, count: probabilities.count)
      for (label, probability) in zip(labels, probabilities) {
        writer.key(label)
        writer.number(Float(probability))
      }
      writer.endObject()
    }
  }

  /// Keys for the probabilities object: class names when the model has them, else its labels.
  private static func probabilityLabels(_ schema: ModelSchema, count: Int) -> [String] {
    if let names = schema.classNames, names.count == count { return names }
    if case .classifier(_, _, let classes) = schema.reading, classes.count == count { return classes }
    return (0..<count).map(String.init)
  }
}
