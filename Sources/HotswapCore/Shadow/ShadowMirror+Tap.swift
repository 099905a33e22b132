/// The mirror as a consumer of the ``PredictionTap``: every protocol's prediction path (REST
/// `/predict`, Open Inference Protocol `infer`, gRPC `Predict` and `ModelInfer`) hands it what it
/// served, once the answer is ready.
extension ShadowMirror: PredictionConsumer {
  /// Takes an unpinned request answered by a slot other than the shadow of its snapshot, within
  /// the sample: no lock, one atomic add when `sample` is below 100.
  public func takes(_ request: PredictionRequest) -> Bool {
    shadowSlot(for: request.snapshot, answeredBy: request.slot.name, pinned: request.pinned) != nil
  }

  /// Queues a copy of a request ``takes(_:)`` accepted, or drops and counts it when the queue
  /// has no room — before the copy is built, so a dropped copy costs one atomic load and one add.
  /// A request whose live answer failed is not copied: there is nothing to compare the shadow's
  /// answer with.
  public func receive(_ prediction: ServedPrediction) {
    guard let settings = prediction.snapshot.plan.shadow else { return }
    let output: ShadowJob.LiveOutput
    switch prediction.output {
    case .predictions(let predictions): output = .predictions(predictions)
    case .tensors(let tensors): output = .tensors(tensors)
    case .failed: return
    }
    guard hasRoom(settings) else {
      statistics.countDrop()
      return
    }
    let slots = prediction.snapshot.slots
    guard let index = slots.firstIndex(where: { $0.name == settings.slot }) else { return }
    offer(
      ShadowJob(
        shadowSlot: settings.slot,
        shadowModel: slots[index].model,
        settings: settings,
        live: prediction.slot.model,
        liveSlot: prediction.slot.name,
        wireProtocol: prediction.wireProtocol,
        endpoint: prediction.endpoint,
        input: prediction.input,
        liveOutput: output,
        liveLatency: prediction.latency,
        servedAt: prediction.servedAt
      ),
      settings: settings
    )
  }
}
