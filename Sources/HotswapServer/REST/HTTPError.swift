import HotswapJSON
import NIOHTTP1

/// An error that renders itself as `{"error": "..."}` with its status: the only way routes report
/// failures, so every error a client sees has the same shape.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The status to answer with.
  public let status: HTTPResponseStatus
  /// What went wrong and what to do instead.
  public let message: String
  /// Extra headers (`Allow` on 405).
  public let headers: HTTPHeaders

  /// Creates an error.
  public init(_ status: HTTPResponseStatus, _ message: String, headers: HTTPHeaders = HTTPHeaders()) {
    self.status = status
    self.message = message
    self.headers = headers
  }

  /// The message.
  public var description: String { "\(status.code): \(message)" }

  /// The error as a response.
  public var response: RESTResponse {
    var writer = JSONWriter(capacity: message.utf8.count + 16)
    writer.beginObject()
    writer.key("error")
    writer.string(message)
    writer.endObject()
    return .json(status, writer, headers: headers)
  }

  public static func == (lhs: HTTPError, rhs: HTTPError) -> Bool {
    lhs.status == rhs.status && lhs.message == rhs.message
  }
}
