/// Where every protocol's prediction path hands what it served: REST `/predict`, Open Inference
/// Protocol `…/infer`, gRPC `Predict` and `ModelInfer`. The consumers are fixed when the server
/// starts; each decides per request, before anything is built, whether it wants it.
///
/// The request path asks for a ``PredictionTicket`` once it knows the slot, runs the prediction,
/// and hands the answer to the ticket. When no consumer took the request there is no ticket:
/// the request pays one loop over the consumers and builds nothing.
public final class PredictionTap: Sendable {
  /// The most consumers a tap serves.
  static let capacity = 64

  /// The consumers, in delivery order.
  public let consumers: [any PredictionConsumer]

  /// A tap with these consumers (the first 64).
  public init(consumers: [any PredictionConsumer] = []) {
    self.consumers = Array(consumers.prefix(Self.capacity))
  }

  /// The ticket for a request about to be served, or nil when no consumer takes it. `request` is
  /// not built when the tap has no consumer.
  @inline(__always)
  public func ticket(
    for request: @autoclosure () -> PredictionRequest,
    stickyKey: String?
  ) -> PredictionTicket? {
    guard !consumers.isEmpty else { return nil }
    let request = request()
    var wanted: UInt64 = 0
    for (index, consumer) in consumers.enumerated() where consumer.takes(request) {
      wanted |= 1 << UInt64(index)
    }
    guard wanted != 0 else { return nil }
    return PredictionTicket(tap: self, wanted: wanted, request: request, stickyKey: stickyKey)
  }

  fileprivate func deliver(_ prediction: ServedPrediction, wanted: UInt64) {
    for (index, consumer) in consumers.enumerated() where wanted & (1 << UInt64(index)) != 0 {
      consumer.receive(prediction)
    }
  }
}

/// A request some consumer of the ``PredictionTap`` took: carries what is known at routing time
/// until the answer is ready.
public struct PredictionTicket: Sendable {
  fileprivate let tap: PredictionTap
  fileprivate let wanted: UInt64
  /// The request as the consumers saw it.
  public let request: PredictionRequest
  /// The sticky key the request carried.
  public let stickyKey: String?

  /// Hands the served request to the consumers that took it.
  public func served(
    _ input: ServedPrediction.Input,
    _ output: ServedPrediction.Output,
    latency: Duration
  ) {
    tap.deliver(
      ServedPrediction(
        snapshot: request.snapshot,
        slot: request.slot,
        reason: request.reason,
        wireProtocol: request.wireProtocol,
        endpoint: request.endpoint,
        stickyKey: stickyKey,
        input: input,
        output: output,
        latency: latency
      ),
      wanted: wanted
    )
  }
}
