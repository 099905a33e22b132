import HotswapCore

extension RESTRouter {
  /// `GET /metrics`: the Prometheus text exposition, or 404 when metrics are disabled.
  func metrics() throws(HTTPError) -> RESTResponse {
    guard let observability = environment.observer as? ServerObservability, observability.recording else {
      throw HTTPError(.notFound, "metrics are disabled (hotswap serve --no-metrics)")
    }
    observability.metrics.refresh(
      snapshot: environment.store.snapshot,
      state: environment.state.value,
      delivery: observability.delivery.status()
    )
    if let shadow = observability.shadow, let shadowMetrics = observability.shadowMetrics {
      let delivery = observability.delivery.status()
      shadowMetrics.refresh(
        shadow.status(
          snapshot: environment.store.snapshot,
          window: delivery.guardSettings?.window ?? StatusDocument.shadowWindow,
          since: delivery.armedAt
        ),
        droppedSinceStart: shadow.statistics.droppedSinceStart
      )
    }
    observability.metrics.refresh(connections: environment.connections)
    for case let log as PredictionLog in environment.predictions.consumers {
      observability.metrics.refresh(predictionLog: log.counts)
    }
    return .text(.ok, observability.metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
  }
}
