/// The captures of a matched route pattern.
struct RouteParameters: Sendable, Equatable {
  let names: [Substring]
  let values: [Substring]

  static let none = RouteParameters(names: [], values: [])

  /// The value captured as `name`, if the pattern has that capture.
  subscript(_ name: Substring) -> String? {
    names.firstIndex(of: name).map { String(values[$0]) }
  }
}
