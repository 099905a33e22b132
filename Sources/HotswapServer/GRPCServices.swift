import GRPCCore

/// The gRPC services served on the one port. The seed's PredictionService, the Open Inference
/// Protocol and grpc.health.v1 are added here by their own change.
public enum GRPCServices {
  /// Every gRPC service, sharing the REST side's environment and routing.
  public static func all(environment: ServingEnvironment) -> [any RegistrableRPCService] {
    []
  }
}
