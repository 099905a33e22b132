/// A response: status code, headers in order, body (chunked encoding already decoded).
public struct HTTPGetResponse: Sendable, Equatable {
  /// The status code.
  public var status: Int
  /// Header fields in order, names as sent.
  public var headers: [HTTPGetHeader]
  /// The body.
  public var body: [UInt8]

  /// The first value of header `name` (any case).
  public func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }
}

/// One header field of an ``HTTPGetResponse``.
public struct HTTPGetHeader: Sendable, Equatable {
  /// The name as sent.
  public var name: String
  /// The value without surrounding blanks.
  public var value: String
}
