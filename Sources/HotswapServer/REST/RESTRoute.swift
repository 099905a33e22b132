import NIOHTTP1

/// One row of the REST route table: a path pattern, the methods it answers, and its handler.
/// Patterns are literal segments and `{name}` captures, each capture one non-empty segment
/// (`/v2/models/{model}/versions/{version}/infer`).
struct RESTRoute: Sendable {
  /// Runs the route for a request whose path matched and whose method is allowed.
  typealias Handler = @Sendable (RESTRouter, RESTRequest, RouteContext) throws -> RouteResult

  /// The pattern as written in the table.
  let pattern: String
  /// The methods the route answers; any other gets 405 with `Allow`.
  let methods: [HTTPMethod]
  /// Whether a body above `RESTRouter.inlineBodyLimit` is parsed off the event loop (routes that
  /// read JSON bodies).
  let readsLargeBodies: Bool
  let handler: Handler
  /// The pattern's segments; nil for a capture.
  let segments: [Substring?]
  /// The capture names, in order.
  let captures: [Substring]

  init(
    _ pattern: String,
    _ methods: [HTTPMethod],
    readsLargeBodies: Bool = false,
    _ handler: @escaping Handler
  ) {
    self.pattern = pattern
    self.methods = methods
    self.readsLargeBodies = readsLargeBodies
    self.handler = handler
    var segments: [Substring?] = []
    var captures: [Substring] = []
    for segment in pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
      if segment.first == "{", segment.last == "}" {
        segments.append(nil)
        captures.append(segment.dropFirst().dropLast())
      } else {
        segments.append(segment)
      }
    }
    self.segments = segments
    self.captures = captures
  }

  /// Whether the pattern has no captures (matched by a dictionary lookup).
  var isLiteral: Bool { captures.isEmpty }

  /// The captured values when `path` (split at `/`, without the leading empty segment) matches.
  func match(_ path: [Substring]) -> RouteParameters? {
    guard path.count == segments.count else { return nil }
    var values: [Substring] = []
    for (segment, expected) in zip(path, segments) {
      if let expected {
        guard segment == expected else { return nil }
      } else {
        guard !segment.isEmpty else { return nil }
        values.append(segment)
      }
    }
    return RouteParameters(names: captures, values: values)
  }
}
