/// One served request, as the metrics, the guard and the status page see it.
public struct RequestObservation: Sendable {
  /// The wire protocol.
  public enum WireProtocol: String, Sendable {
    case rest
    case grpc
  }

  /// How the request ended. Only `serverError` counts against a slot (5xx, inference failures,
  /// deadlines exceeded); client mistakes do not.
  public enum Outcome: String, Sendable {
    case success
    case clientError
    case serverError
  }

  /// The slot that served it.
  public var slot: String
  /// The version that served it.
  public var version: String
  /// REST or gRPC.
  public var wireProtocol: WireProtocol
  /// A short endpoint name: `predict`, `health`, `infer`, `Predict`, `ModelInfer`, …
  public var endpoint: String
  /// How it ended.
  public var outcome: Outcome
  /// Time from routing to the response being ready.
  public var duration: Duration

  /// Creates an observation.
  public init(
    slot: String,
    version: String,
    wireProtocol: WireProtocol,
    endpoint: String,
    outcome: Outcome,
    duration: Duration
  ) {
    self.slot = slot
    self.version = version
    self.wireProtocol = wireProtocol
    self.endpoint = endpoint
    self.outcome = outcome
    self.duration = duration
  }
}

/// Receives every served request. Called on the request path: implementations must not block
/// and should not allocate.
public protocol RequestObserver: Sendable {
  /// Records one request.
  func observe(_ observation: RequestObservation)

  /// Whether the observer holds what it is told until offloaded work finishes (the REST
  /// server's offload observation). False by default; lets the request path skip a dynamic
  /// cast for every other observer.
  var holdsUntilServed: Bool { get }
}

extension RequestObserver {
  /// False: what the observer is told is final at once.
  public var holdsUntilServed: Bool { false }
}

/// Records nothing: the server with metrics disabled (`hotswap serve --no-metrics`, and the
/// baseline of the observability benchmark).
public struct DiscardingRequestObserver: RequestObserver {
  /// Creates the observer.
  public init() {}

  /// Does nothing.
  public func observe(_ observation: RequestObservation) {}
}
