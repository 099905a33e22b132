import NIOHTTP1

/// Finds the route for a request: literal paths by one dictionary lookup (the hot path:
/// `/predict`, `/health`), patterns with captures in table order. A path that no route matches
/// gets 404 with a hint; a path that matches only for other methods gets 405 with `Allow`.
struct RouteTable: Sendable {
  private let literal: [Substring: RESTRoute]
  private let patterns: [RESTRoute]

  init(_ routes: [RESTRoute]) {
    var literal: [Substring: RESTRoute] = [:]
    var patterns: [RESTRoute] = []
    for route in routes {
      if route.isLiteral {
        precondition(
          literal.updateValue(route, forKey: Substring(route.pattern)) == nil,
          "\(route.pattern) twice"
        )
      } else {
        patterns.append(route)
      }
    }
    self.literal = literal
    self.patterns = patterns
  }

  /// The route and its captures for `request`.
  func find(_ request: RESTRequest) throws(HTTPError) -> (RESTRoute, RouteParameters) {
    if let route = literal[request.path] {
      try Self.allow(request, route.methods)
      return (route, .none)
    }
    let segments = Array(request.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst())
    var allowed: [HTTPMethod] = []
    for route in patterns {
      guard let parameters = route.match(segments) else { continue }
      if route.methods.contains(request.method) { return (route, parameters) }
      allowed.append(contentsOf: route.methods.filter { !allowed.contains($0) })
    }
    if !allowed.isEmpty { try Self.allow(request, allowed) }
    throw Self.notFound(request, segments)
  }

  private static func notFound(_ request: RESTRequest, _ segments: [Substring]) -> HTTPError {
    guard segments.first == "v2" else {
      return HTTPError(
        .notFound,
        "no route for \(request.method.rawValue) \(request.path); try GET /health, POST /predict, GET /status or /v2"
      )
    }
    let hint = segments.count > 2 && segments[1] == "models" ? "; try …/ready or …/infer" : ""
    return HTTPError(.notFound, "no Open Inference Protocol route for \(request.path)\(hint)")
  }

  /// Throws 405 with an `Allow` header unless the method is one of `methods`.
  private static func allow(_ request: RESTRequest, _ methods: [HTTPMethod]) throws(HTTPError) {
    guard !methods.contains(request.method) else { return }
    let allowed = methods.map(\.rawValue).joined(separator: ", ")
    throw HTTPError(
      .methodNotAllowed,
      "\(request.method.rawValue) is not allowed on \(request.path); use \(allowed)",
      headers: ["Allow": allowed]
    )
  }
}
