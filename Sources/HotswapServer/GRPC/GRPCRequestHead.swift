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
  static let pinKey = "x-hotswap-slot"
  /// The metadata key carrying the serving version in responses.
  static let versionKey = "x-model-version"

  /// The pin in the metadata, if any.
  var pin: String? { headers.first(name: Self.pinKey) }

  /// The value of metadata `key` (lowercase), if sent.
  func metadata(_ key: String) -> String? { headers.first(name: key) }

  /// Checks `headers` in the order the protocol answers them: HTTP method (405), content type
  /// (415), path (UNIMPLEMENTED), message encoding (UNIMPLEMENTED, with the encodings we accept),
  /// deadline (INVALID_ARGUMENT).
  static func parse(_ headers: HPACKHeaders) -> Result<GRPCRequestHead, GRPCRejection> {
    guard headers.first(name: ":method") == "POST" else {
      return .failure(
        GRPCRejection(
          httpStatus: 405,
          GRPCStatus(
            .internal,
            "gRPC calls are POST requests; got \(headers.first(name: ":method") ?? "none")"
          ),
          headers: [("allow", "POST")]
        )
      )
    }
    let contentType = headers.first(name: "content-type") ?? ""
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
    switch GRPCMethod.route(Substring(headers.first(name: ":path") ?? "")) {
    case .served(let served): method = served
    case .unimplemented(let message): return .failure(GRPCRejection(GRPCStatus(.unimplemented, message)))
    }
    if let encoding = headers.first(name: "grpc-encoding"), encoding != "identity" {
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
    if let text = headers.first(name: "grpc-timeout") {
      switch GRPCTimeout.parse(text) {
      case .success(let parsed): timeout = parsed
      case .failure(let status): return .failure(GRPCRejection(status))
      }
    }
    return .success(GRPCRequestHead(method: method, timeout: timeout, headers: headers))
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
