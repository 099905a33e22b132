/// Told of the copies the shadow ran, one batch at a time, on the shadow's thread (never the
/// request path): the Prometheus metrics implement it.
public protocol ShadowObserver: Sendable {
  /// The shadow ran a batch of copies: compared some, failed on others.
  func shadowRan(_ batch: ShadowBatch)
}
