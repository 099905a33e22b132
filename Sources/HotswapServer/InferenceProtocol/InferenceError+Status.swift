import HotswapCore
import NIOHTTP1

/// An inference failure as each protocol reports it: the edge is the only place that knows the
/// HTTP and gRPC statuses.
extension InferenceError {
  /// The HTTP status for REST.
  public var httpStatus: HTTPResponseStatus {
    switch code {
    case .invalidArgument: .badRequest
    case .notFound: .notFound
    case .unavailable: .serviceUnavailable
    case .resourceExhausted: .payloadTooLarge
    case .internal: .internalServerError
    }
  }

  /// The error as a REST error response.
  public var httpError: HTTPError { HTTPError(httpStatus, message) }

  /// The gRPC status for this error.
  public var grpcStatus: GRPCStatus {
    switch code {
    case .invalidArgument: GRPCStatus(.invalidArgument, message)
    case .notFound: GRPCStatus(.notFound, message)
    case .unavailable: GRPCStatus(.unavailable, message)
    case .resourceExhausted: GRPCStatus(.resourceExhausted, message)
    case .internal: GRPCStatus(.internal, message)
    }
  }
}
