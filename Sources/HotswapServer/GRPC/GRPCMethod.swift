/// Every gRPC method Hotswap serves, and the route table from `:path` to method. Methods of our
/// services that are not served (the Open Inference Protocol's optional extensions) and unknown
/// paths answer UNIMPLEMENTED with a message naming what is served.
enum GRPCMethod: String, Sendable, CaseIterable {
  /// `hotswap.v1.PredictionService/Health`.
  case predictionHealth = "/hotswap.v1.PredictionService/Health"
  /// `hotswap.v1.PredictionService/Predict`.
  case predict = "/hotswap.v1.PredictionService/Predict"
  /// `inference.GRPCInferenceService/ServerLive`.
  case serverLive = "/inference.GRPCInferenceService/ServerLive"
  /// `inference.GRPCInferenceService/ServerReady`.
  case serverReady = "/inference.GRPCInferenceService/ServerReady"
  /// `inference.GRPCInferenceService/ModelReady`.
  case modelReady = "/inference.GRPCInferenceService/ModelReady"
  /// `inference.GRPCInferenceService/ServerMetadata`.
  case serverMetadata = "/inference.GRPCInferenceService/ServerMetadata"
  /// `inference.GRPCInferenceService/ModelMetadata`.
  case modelMetadata = "/inference.GRPCInferenceService/ModelMetadata"
  /// `inference.GRPCInferenceService/ModelInfer`.
  case modelInfer = "/inference.GRPCInferenceService/ModelInfer"
  /// `grpc.health.v1.Health/Check`.
  case healthCheck = "/grpc.health.v1.Health/Check"
  /// `grpc.health.v1.Health/Watch`, the one server-streaming method.
  case healthWatch = "/grpc.health.v1.Health/Watch"

  /// What a `:path` leads to.
  enum Route: Equatable {
    case served(GRPCMethod)
    /// UNIMPLEMENTED, with this message.
    case unimplemented(String)
  }

  /// The services on the port, for messages.
  static let services = [
    "hotswap.v1.PredictionService", "inference.GRPCInferenceService", "grpc.health.v1.Health",
  ]

  /// The methods of `inference.GRPCInferenceService` the protocol defines but Hotswap does not serve.
  static let unservedInferenceMethods: Set<Substring> = [
    "ModelStreamInfer", "ModelConfig", "ModelStatistics", "RepositoryIndex", "RepositoryModelLoad",
    "RepositoryModelUnload", "SystemSharedMemoryStatus", "SystemSharedMemoryRegister",
    "SystemSharedMemoryUnregister", "CudaSharedMemoryStatus", "CudaSharedMemoryRegister",
    "CudaSharedMemoryUnregister", "TraceSetting", "LogSettings",
  ]

  private static let byPath: [Substring: GRPCMethod] = Dictionary(
    uniqueKeysWithValues: allCases.map { (Substring($0.rawValue), $0) }
  )

  /// Routes `path` (`/package.Service/Method`).
  static func route(_ path: Substring) -> Route {
    if let method = byPath[path] { return .served(method) }
    let parts = path.dropFirst().split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
    let shown = path.count > 200 ? String(path.prefix(200)) + "…" : String(path)
    if parts.count == 2, parts[0] == "inference.GRPCInferenceService",
      unservedInferenceMethods.contains(parts[1])
    {
      return .unimplemented("inference.GRPCInferenceService/\(parts[1]) is not served by Hotswap")
    }
    if parts.count == 2, services.contains(String(parts[0])) {
      return .unimplemented("\(parts[0]) has no method '\(parts[1])'")
    }
    return .unimplemented(
      "method '\(shown)' is not served; Hotswap serves \(services.joined(separator: ", "))"
    )
  }

  /// The method's name for metrics and logs (`Predict`, `ModelInfer`, …). Spelled out: it is
  /// read on every call, and splitting the path cost 4 % of a Predict's CPU time.
  var endpoint: String {
    switch self {
    case .predictionHealth: "Health"
    case .predict: "Predict"
    case .serverLive: "ServerLive"
    case .serverReady: "ServerReady"
    case .modelReady: "ModelReady"
    case .serverMetadata: "ServerMetadata"
    case .modelMetadata: "ModelMetadata"
    case .modelInfer: "ModelInfer"
    case .healthCheck: "Check"
    case .healthWatch: "Watch"
    }
  }

  /// Whether the call streams its answers (Health/Watch) instead of answering once.
  var isServerStreaming: Bool { self == .healthWatch }
}
