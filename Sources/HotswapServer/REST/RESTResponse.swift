import HotswapJSON
import NIOCore
import NIOHTTP1

/// A complete response: status, headers and body bytes.
public struct RESTResponse: Sendable, Equatable {
  /// The status.
  public var status: HTTPResponseStatus
  /// Headers other than Content-Length, which the connection sets.
  public var headers: HTTPHeaders
  /// The body.
  public var body: [UInt8]

  /// Creates a response.
  public init(status: HTTPResponseStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  /// A JSON response.
  public static func json(
    _ status: HTTPResponseStatus = .ok,
    _ writer: JSONWriter,
    headers: HTTPHeaders = HTTPHeaders()
  )
    -> RESTResponse
  {
    var headers = headers
    headers.replaceOrAdd(name: "Content-Type", value: "application/json")
    return RESTResponse(status: status, headers: headers, body: writer.bytes)
  }

  /// A plain text response.
  public static func text(
    _ status: HTTPResponseStatus = .ok,
    _ text: String,
    contentType: String = "text/plain; charset=utf-8"
  )
    -> RESTResponse
  {
    RESTResponse(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
  }
}
