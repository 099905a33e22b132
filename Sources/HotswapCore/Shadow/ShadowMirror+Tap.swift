/// The mirror as a consumer of the ``PredictionTap``: every protocol's prediction path (REST
/// `/predict`, Open Inference Protocol `infer`, gRPC `Predict` and `ModelInfer`) hands it what it
/// served, once the answer is ready.
extension ShadowMirror: PredictionConsumer {
  /// Takes an unpinned request answered by a slot other than the shadow of its snapshot, within
  /// the sample: no lock, one atomic add when `sample` is below 100.
  public func takes(_ request: PredictionRequest) -> Bool {
    shadowSlot(for: request.snapshot, answeredBy: request.slot.name, pinned: request.pinned) != nil
  }

  /// Queues a copy of a request ``takes(_:)`` accepted (or drops and counts it). A request whose
  /// live answer failed is not copied: there is nothing to compare the shadow's answer with.
  public func receive(_ prediction: ServedPrediction) {
    guard let settings = prediction.snapshot.plan.shadow,
      let shadow = prediction.snapshot.slot(named: settings.slot)
    else { return }
    let output: ShadowJob.LiveOutput
    switch prediction.output {
    case .predictions(let predictions): output = .predictions(predictions)
    case .tensors(let tensors): output = .tensors(tensors)
    case .failed: return
    }
    offer(
      ShadowJob(
        shadow: shadow,
        settings: settings,
        live: prediction.slot.model,
        liveSlot: prediction.slot.name,
        wireProtocol: prediction.wireProtocol.rawValue,
        endpoint: prediction.endpoint,
        input: prediction.input,
        liveOutput: output,
        liveLatency: prediction.latency,
        servedAt: prediction.servedAt
      )
    )
  }
}
