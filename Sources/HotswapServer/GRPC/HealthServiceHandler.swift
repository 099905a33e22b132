import GRPCCore
import HotswapCore
import HotswapProtos

/// `grpc.health.v1.Health`: Check answers the status of a service name (NOT_FOUND if unknown);
/// Watch sends the current status, then every change as snapshots are published, until the
/// client cancels. Names and statuses: `HealthStatusPolicy`.
struct HealthServiceHandler: Grpc_Health_V1_Health.ServiceProtocol {
  let environment: ServingEnvironment
  let policy: HealthStatusPolicy

  init(environment: ServingEnvironment) {
    self.environment = environment
    self.policy = HealthStatusPolicy(modelName: environment.modelName)
  }

  func check(
    request: ServerRequest<Grpc_Health_V1_HealthCheckRequest>,
    context: ServerContext
  ) async throws
    -> ServerResponse<Grpc_Health_V1_HealthCheckResponse>
  {
    let service = request.message.service
    let status = policy.status(of: service, in: environment.store.snapshot)
    guard status != .unknown else {
      throw RPCError(code: .notFound, message: "unknown service '\(service)'; \(Self.knownNames)")
    }
    return ServerResponse(message: Self.message(status))
  }

  func watch(
    request: ServerRequest<Grpc_Health_V1_HealthCheckRequest>,
    context: ServerContext
  ) async throws
    -> StreamingServerResponse<Grpc_Health_V1_HealthCheckResponse>
  {
    let service = request.message.service
    let store = environment.store
    let shutdown = environment.shutdown
    let policy = self.policy
    return StreamingServerResponse { writer in
      // The transport reports a client's cancel through the RPC cancellation handle, not by
      // cancelling this task, so the stream of changes runs in its own task that either cancels,
      // and so does the server's shutdown.
      let changes = store.changes()
      let stream = Task {
        var last = policy.status(of: service, in: store.snapshot)
        try await writer.write(Self.message(last))
        for await snapshot in changes {
          let now = policy.status(of: service, in: snapshot)
          guard now != last else { continue }
          last = now
          try await writer.write(Self.message(now))
        }
      }
      let stopOnShutdown = Task {
        await shutdown.wait()
        stream.cancel()
      }
      defer { stopOnShutdown.cancel() }
      let result = await withTaskCancellationHandler {
        await withRPCCancellationHandler {
          await stream.result
        } onCancelRPC: {
          stream.cancel()
        }
      } onCancel: {
        stream.cancel()
      }
      if shutdown.isTriggered {
        // The health protocol's goodbye: every service stops serving, then the stream ends (OK),
        // so the client looks for another server instead of waiting on this one.
        try await writer.write(Self.message(.notServing))
        return [:]
      }
      try result.get()
      return [:]
    }
  }

  private static let knownNames =
    "known names: \"\", the model name, \(HealthStatusPolicy.registeredServices.joined(separator: ", ")), "
    + "\(HealthStatusPolicy.slotPrefix)<slot>"

  private static func message(_ status: HealthStatusPolicy.Status) -> Grpc_Health_V1_HealthCheckResponse {
    var message = Grpc_Health_V1_HealthCheckResponse()
    switch status {
    case .serving: message.status = .serving
    case .notServing: message.status = .notServing
    case .unknown: message.status = .serviceUnknown
    }
    return message
  }
}
