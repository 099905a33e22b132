/// Told of every copy the shadow ran, on the shadow's thread (never the request path): the
/// Prometheus metrics implement it.
public protocol ShadowObserver: Sendable {
  /// The shadow ran a copy and compared its rows.
  func shadowCompared(slot: String, comparisons: [PredictionComparison], duration: Duration)
  /// The shadow failed on a copy.
  func shadowFailed(slot: String)
}
