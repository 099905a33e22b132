/// What a route decided: an immediate response, or work heavy enough to run off the event loop
/// (large batches, large bodies) whose result is the response.
public enum RouteResult: Sendable {
  /// Answer now.
  case response(RESTResponse)
  /// Run this on the thread pool, then answer with its result.
  case offload(OffloadedWork)
}
