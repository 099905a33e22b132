import HotswapCore
import NIOHTTP1

/// Open Inference Protocol (v2) over REST. The full protocol (metadata, JSON and binary tensors,
/// version pinning) is being written in its own change; until then `/v2` answers that it is not
/// served here.
struct InferenceProtocolREST: Sendable {
  let environment: ServingEnvironment

  func route(_ request: RESTRequest) throws -> RouteResult {
    throw HTTPError(.notFound, "the Open Inference Protocol is not served by this build")
  }
}
