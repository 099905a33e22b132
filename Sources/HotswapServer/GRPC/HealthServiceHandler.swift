import HotswapCore
import HotswapProtos
import NIOCore

/// `grpc.health.v1.Health`: Check answers the status of a service name (NOT_FOUND if unknown);
/// Watch sends the current status, then every change as snapshots are published, until the
/// client cancels or the server shuts down (`GRPCHealthWatch`). Names and statuses:
/// `HealthStatusPolicy`.
struct HealthServiceHandler: Sendable {
  let environment: ServingEnvironment
  let policy: HealthStatusPolicy

  init(environment: ServingEnvironment) {
    self.environment = environment
    self.policy = HealthStatusPolicy(modelName: environment.modelName)
  }

  func check(_ message: ByteBuffer) -> GRPCReply {
    GRPCCodec.answering { () throws(GRPCStatus) in
      let service = try GRPCCodec.decode(Grpc_Health_V1_HealthCheckRequest.self, message).service
      let status = policy.status(of: service, in: environment.store.snapshot)
      guard status != .unknown else {
        throw GRPCStatus(.notFound, "unknown service '\(service)'; \(Self.knownNames)")
      }
      return GRPCCodec.reply(Self.message(status))
    }
  }

  /// Watch: the service name to stream the status of.
  func watch(_ message: ByteBuffer) -> GRPCAnswer {
    do throws(GRPCStatus) {
      return .watch(service: try GRPCCodec.decode(Grpc_Health_V1_HealthCheckRequest.self, message).service)
    } catch {
      return .reply(GRPCReply(error))
    }
  }

  private static let knownNames =
    "known names: \"\", the model name, \(HealthStatusPolicy.registeredServices.joined(separator: ", ")), "
    + "\(HealthStatusPolicy.slotPrefix)<slot>"

  /// The health protocol's message for `status`.
  static func message(_ status: HealthStatusPolicy.Status) -> Grpc_Health_V1_HealthCheckResponse {
    var message = Grpc_Health_V1_HealthCheckResponse()
    switch status {
    case .serving: message.status = .serving
    case .notServing: message.status = .notServing
    case .unknown: message.status = .serviceUnknown
    }
    return message
  }
}
