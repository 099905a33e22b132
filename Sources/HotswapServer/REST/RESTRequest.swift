import NIOCore
import NIOHTTP1

/// One complete HTTP/1.1 request as the routes see it.
public struct RESTRequest: Sendable {
  /// The method.
  public var method: HTTPMethod
  /// The path without the query string.
  public var path: Substring
  /// The query string without `?`, if any.
  public var query: Substring?
  /// The request headers.
  public var headers: HTTPHeaders
  /// The body (empty when none was sent).
  public var body: ByteBuffer

  /// Splits the URI into path and query.
  public init(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: ByteBuffer) {
    self.method = method
    if let mark = uri.firstIndex(of: "?") {
      path = uri[..<mark]
      query = uri[uri.index(after: mark)...]
    } else {
      path = Substring(uri)
      query = nil
    }
    self.headers = headers
    self.body = body
  }

  /// The body's bytes.
  public var bodyBytes: ByteBufferView { body.readableBytesView }
}
