/// Why ``HTTPGet/fetch(_:timeout:)`` failed.
public enum HTTPGetError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The URL is not `http://host[:port][/path]`.
  case invalidURL(String)
  /// The URL's scheme is not `http`.
  case unsupportedScheme(String)
  /// The host name did not resolve.
  case cannotResolve(host: String)
  /// No address of the host accepted the connection.
  case cannotConnect(host: String, port: UInt16, reason: String)
  /// The server did not answer in time.
  case timedOut(Duration)
  /// Sending or receiving failed.
  case connectionFailed(String)
  /// The answer is not HTTP.
  case invalidResponse(String)

  /// A sentence for the user.
  public var description: String {
    switch self {
    case .invalidURL(let url): return "invalid URL \(url)"
    case .unsupportedScheme(let url): return "only http:// URLs are supported: \(url)"
    case .cannotResolve(let host): return "Could not resolve host: \(host)"
    case .cannotConnect(let host, let port, let reason):
      return "Failed to connect to \(host) port \(port): \(reason)"
    case .timedOut(let timeout): return "no answer within \(timeout)"
    case .connectionFailed(let reason): return reason
    case .invalidResponse(let reason): return "not an HTTP response: \(reason)"
    }
  }
}
