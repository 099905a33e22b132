/// The kind of a TOML value, as messages name it.
enum TOMLType: Sendable, Equatable {
  case string, int, double, bool, array, table, date, time, dateTime
}

/// One TOML value of a parsed document. Dates and times are kept as written: the config uses
/// none, and messages only name their kind.
enum TOMLValue: Sendable, Equatable {
  case string(String)
  case int(Int)
  case double(Double)
  case bool(Bool)
  case array([TOMLValue])
  case table(TOMLTable)
  /// A date, time or date-time, as written.
  case dateTime(String, TOMLType)

  /// The value's kind.
  var type: TOMLType {
    switch self {
    case .string: .string
    case .int: .int
    case .double: .double
    case .bool: .bool
    case .array: .array
    case .table: .table
    case .dateTime(_, let type): type
    }
  }

  /// The string, if this is one.
  var string: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  /// The integer, if this is one.
  var int: Int? {
    if case .int(let value) = self { return value }
    return nil
  }

  /// The float, if this is one (an integer is not).
  var double: Double? {
    if case .double(let value) = self { return value }
    return nil
  }

  /// The boolean, if this is one.
  var bool: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  /// The elements, if this is an array (or an array of tables).
  var array: [TOMLValue]? {
    if case .array(let value) = self { return value }
    return nil
  }

  /// The table, if this is one (a `[table]`, a dotted key's table or an inline table).
  var table: TOMLTable? {
    if case .table(let value) = self { return value }
    return nil
  }
}

/// A TOML table: its keys and values. Keys list in byte order, as toml++ (which parsed the file
/// before) listed them: slots are ordered by name everywhere.
struct TOMLTable: Sendable, Equatable {
  private(set) var entries: [String: TOMLValue] = [:]

  /// The keys, in byte order.
  var keys: [String] {
    entries.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
  }

  /// The value at `key`.
  subscript(key: String) -> TOMLValue? {
    entries[key]
  }

  init(entries: [String: TOMLValue] = [:]) {
    self.entries = entries
  }
}
