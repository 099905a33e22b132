import HotswapCore

/// Which `grpc.health.v1` service names exist and what status each has in a snapshot. Pure.
///
/// - `""`, the registered gRPC service names and the model name: SERVING once a plan is served.
/// - `hotswap.slot.<name>`: SERVING while that slot takes a share of unpinned traffic,
///   NOT_SERVING while it is a standby (weight 0), unknown when the plan has no such slot.
public struct HealthStatusPolicy: Sendable {
  /// A status of the health protocol, without the generated type.
  public enum Status: Sendable, Equatable {
    case serving
    case notServing
    /// The name is not known (Check: NOT_FOUND; Watch: SERVICE_UNKNOWN).
    case unknown
  }

  /// Prefix of the per-slot service names.
  public static let slotPrefix = "hotswap.slot."

  /// The gRPC services registered on the port.
  public static let registeredServices = [
    "hotswap.v1.PredictionService", "inference.GRPCInferenceService", "grpc.health.v1.Health",
  ]

  /// The served model's name, also a service name.
  public let modelName: String

  /// Creates the policy for a model name.
  public init(modelName: String) {
    self.modelName = modelName
  }

  /// The status of `service` in `snapshot` (nil: nothing served yet).
  public func status(of service: String, in snapshot: Snapshot?) -> Status {
    if service.isEmpty || service == modelName || Self.registeredServices.contains(service) {
      return snapshot == nil ? .notServing : .serving
    }
    guard service.hasPrefix(Self.slotPrefix) else { return .unknown }
    guard let snapshot else { return .notServing }
    guard let slot = snapshot.slot(named: String(service.dropFirst(Self.slotPrefix.count))) else {
      return .unknown
    }
    return slot.share > 0 ? .serving : .notServing
  }
}
