import HotswapJSON

/// Building the tool's JSON documents (`info`, `bench`) as values, written by ``render(_:)``.
extension JSONValue {
  /// An integer.
  static func int(_ value: Int64) -> JSONValue { .number(Double(value), isInteger: true) }

  /// A floating-point number (the writer prints the shortest form that round-trips).
  static func double(_ value: Double) -> JSONValue { .number(value, isInteger: false) }

  /// An object with these members, in this order.
  static func members(_ pairs: [(String, JSONValue)]) -> JSONValue {
    .object(JSONObject(pairs.map { (key: $0.0, value: $0.1) }))
  }

  /// The value as compact JSON text.
  var rendered: String {
    var writer = JSONWriter()
    writer.value(self)
    return String(decoding: writer.bytes, as: UTF8.self)
  }
}
