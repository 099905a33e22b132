import NIOHPACK

/// A gRPC request's HEADERS, checked: the method it calls, its deadline, and the metadata that
/// routes it. Built only by `parse`, which turns every malformed head into the answer the gRPC
/// protocol prescribes — never a hang, never a trap. Pure.
struct GRPCRequestHead {
  /// The method called.
  let method: GRPCMethod
  /// The client's deadline (`grpc-timeout`), if it sent one.
  let timeout: Duration?
  /// Every header, for metadata (pin, sticky key).
  let headers: HPACKHeaders

  /// The metadata key that pins a slot (or version).
  static let pinKey = SlotHeader.pin
  /// The metadata key carrying the serving version in responses.
  static let versionKey = "x-model-version"

  /// The pin in the metadata (`x-hotswap-slot`), if any.
  let pin: String?

  /// The value of metadata `key` (lowercase), if sent.
  func metadata(_ key: String) -> String? { headers.first(name: key) }

  /// Checks `headers` in the order the protocol answers them: HTTP method (405), content type
  /// (415), path (UNIMPLEMENTED), message encoding (UNIMPLEMENTED, with the encodings we accept),
  /// deadline (INVALID_ARGUMENT).
  static func parse(_ headers: HPACKHeaders) -> Result<GRPCRequestHead, GRPCRejection> {
    // One pass over the headers (HTTP/2 names are lowercase; swift-nio-http2 rejects others).
    var fields = Fields()
    for (name, value, _) in headers { fields.take(name, value) }
    guard fields.method == "POST" else {
      return .failure(
        GRPCRejection(
          httpStatus: 405,
          GRPCStatus(.internal, "gRPC calls are POST requests; got \(fields.method ?? "none")"),
          headers: [("allow", "POST")]
        )
      )
    }
    let contentType = fields.contentType ?? ""
    guard isGRPCContentType(contentType) else {
      return .failure(
        GRPCRejection(
          httpStatus: 415,
          GRPCStatus(
            .internal,
            "content-type '\(contentType.prefix(100))' is not gRPC; send application/grpc (or application/grpc+proto)"
          )
        )
      )
    }
    let method: GRPCMethod
    switch GRPCMethod.route(Substring(fields.path ?? "")) {
    case .served(let served): method = served
    case .unimplemented(let message): return .failure(GRPCRejection(GRPCStatus(.unimplemented, message)))
    }
    if let encoding = fields.encoding, encoding != "identity" {
      return .failure(
        GRPCRejection(
          GRPCStatus(
            .unimplemented,
            "grpc-encoding '\(encoding.prefix(100))' is not supported; send messages uncompressed (identity)"
          ),
          headers: [("grpc-accept-encoding", "identity")]
        )
      )
    }
    var timeout: Duration?
    if let text = fields.timeout {
      switch GRPCTimeout.parse(text) {
      case .success(let parsed): timeout = parsed
      case .failure(let status): return .failure(GRPCRejection(status))
      }
    }
    return .success(GRPCRequestHead(method: method, timeout: timeout, headers: headers, pin: fields.pin))
  }

  /// The headers a call's checks read, first occurrence of each.
  private struct Fields {
    var method: String?
    var path: String?
    var contentType: String?
    var encoding: String?
    var timeout: String?
    var pin: String?

    mutating func take(_ name: String, _ value: String) {
      switch name {
      case ":method": if method == nil { method = value }
      case ":path": if path == nil { path = value }
      case "content-type": if contentType == nil { contentType = value }
      case "grpc-encoding": if encoding == nil { encoding = value }
      case "grpc-timeout": if timeout == nil { timeout = value }
      case GRPCRequestHead.pinKey: if pin == nil { pin = value }
      default: break
      }
    }
  }

  /// `application/grpc`, `application/grpc+proto` and either with parameters.
  static func isGRPCContentType(_ value: String) -> Bool {
    if value == "application/grpc" || value == "application/grpc+proto" { return true }
    let type = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingASCIISpaces() } ?? ""
    return type.lowercased() == "application/grpc" || type.lowercased() == "application/grpc+proto"
  }
}

extension Substring {
  /// Without leading and trailing spaces and tabs.
  fileprivate func trimmingASCIISpaces() -> Substring {
    var result = self
    while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
    while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
    return result
  }
}
