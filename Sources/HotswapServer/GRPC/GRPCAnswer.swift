/// How a served method answers one call: now, on the thread pool (large inferences), or as a
/// stream of health statuses (Health/Watch).
enum GRPCAnswer {
  /// Answer now, on the event loop.
  case reply(GRPCReply)
  /// Run this on the thread pool, then answer with its result unless the call was abandoned
  /// meanwhile (the ticket says so).
  case offload(@Sendable (GRPCWorkTicket) -> GRPCReply)
  /// Stream the health of `service` until the client or the server ends the call.
  case watch(service: String)
}
