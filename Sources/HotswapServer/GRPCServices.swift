import GRPCCore

/// The gRPC services served on the one port: the seed's `hotswap.v1.PredictionService`, the Open
/// Inference Protocol's `inference.GRPCInferenceService` and `grpc.health.v1.Health`.
public enum GRPCServices {
  /// Every gRPC service, sharing the REST side's environment and routing.
  public static func all(environment: ServingEnvironment) -> [any RegistrableRPCService] {
    [
      PredictionServiceHandler(environment: environment),
      InferenceServiceHandler(environment: environment),
      HealthServiceHandler(environment: environment),
    ]
  }
}
