/// A parsed JSON document. Numbers keep their source form's integer-ness so `1` and `1.0` can be
/// told apart where a protocol cares (tensor datatypes), and objects keep key order.
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case number(Double, isInteger: Bool)
  case string(String)
  case array([JSONValue])
  case object(JSONObject)

  /// The number, if this is one.
  public var number: Double? {
    if case .number(let value, _) = self { return value }
    return nil
  }

  /// The string, if this is one.
  public var string: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  /// The array, if this is one.
  public var array: [JSONValue]? {
    if case .array(let value) = self { return value }
    return nil
  }

  /// The object, if this is one.
  public var object: JSONObject? {
    if case .object(let value) = self { return value }
    return nil
  }

  /// A short name of the value's type, for error messages.
  public var typeName: String {
    switch self {
    case .null: return "null"
    case .bool: return "a boolean"
    case .number: return "a number"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
  }
}

/// A JSON object with its keys in document order.
public struct JSONObject: Sendable, Equatable {
  /// Key-value pairs in document order.
  public var members: [(key: String, value: JSONValue)]

  /// Creates an object.
  public init(_ members: [(key: String, value: JSONValue)] = []) {
    self.members = members
  }

  /// The value for `key`, if present.
  public subscript(key: String) -> JSONValue? {
    for member in members where member.key == key { return member.value }
    return nil
  }

  /// The keys in document order.
  public var keys: [String] { members.map(\.key) }

  /// Equality by members in order.
  public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
    lhs.members.count == rhs.members.count
      && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
  }
}
