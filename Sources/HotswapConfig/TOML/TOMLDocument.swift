/// Builds the tree of a TOML 1.0 document whose grammar ``TOMLSyntaxChecker`` has accepted, with
/// the rules grammar cannot express: a key or table defined twice, a table reopened after dotted
/// keys defined it, an inline table extended, an array appended to as an array of tables,
/// numbers out of range.
///
/// It replaced TOMLKit (toml++): TOMLKit never frees a parsed document — nor the key arrays each
/// `keys` call allocates — so every reload of the config leaked the whole document (measured:
/// about 2 MiB per reload of a 600 KB file, for ever). This parser is plain Swift values.
struct TOMLDocument {
  /// Why a well-formed text is not a valid document: its line and a reason.
  struct Failure: Error, Equatable {
    let line: Int
    let message: String
  }

  /// The document's root table, or the first rule it breaks.
  static func parse(_ text: String) -> Result<TOMLTable, Failure> {
    var document = TOMLDocument(bytes: Array(text.utf8))
    do {
      try document.parseDocument()
      return .success(document.root.value)
    } catch {
      return .failure(error)
    }
  }

  let bytes: [UInt8]
  var index = 0
  var line = 1
  private let root = BuildTable(origin: .header)
  private var current: BuildTable

  private init(bytes: [UInt8]) {
    self.bytes = bytes
    current = root
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
  }

  // MARK: Structure

  private mutating func parseDocument() throws(Failure) {
    while true {
      skipTrivia()
      guard let byte = peek() else { return }
      if byte == ascii("[") {
        if peek(at: 1) == ascii("[") {
          try arrayOfTablesHeader()
        } else {
          try tableHeader()
        }
      } else {
        let start = line
        let (path, value) = try keyValue()
        try insert(value, at: path, into: current, line: start)
      }
    }
  }

  private mutating func tableHeader() throws(Failure) {
    let start = line
    index += 1
    skipSpaces()
    let path = try key()
    skipSpaces()
    index += 1  // ]
    let parent = try walk(path.dropLast(), from: root, line: start)
    let name = path[path.count - 1]
    switch parent.entries[name] {
    case nil:
      let table = BuildTable(origin: .header)
      parent.entries[name] = .table(table)
      current = table
    case .table(let table) where table.origin == .implicit:
      table.origin = .header
      current = table
    case .table(let table) where table.origin == .dotted:
      throw Failure(
        line: start,
        message: "[\(dotted(path))] was already defined by dotted keys; it cannot be opened again as a table"
      )
    case .table:
      throw Failure(line: start, message: "table [\(dotted(path))] is defined twice")
    case .tables:
      throw Failure(
        line: start,
        message: "[\(dotted(path))] is an array of tables ([[\(dotted(path))]]); it cannot also be a [table]"
      )
    case .value(let value):
      throw Failure(
        line: start,
        message: "'\(dotted(path))' is already \(Self.describe(value)); it cannot also be a [table]"
      )
    }
  }

  private mutating func arrayOfTablesHeader() throws(Failure) {
    let start = line
    index += 2
    skipSpaces()
    let path = try key()
    skipSpaces()
    index += 2  // ]]
    let parent = try walk(path.dropLast(), from: root, line: start)
    let name = path[path.count - 1]
    let table = BuildTable(origin: .header)
    switch parent.entries[name] {
    case nil:
      parent.entries[name] = .tables(BuildTables(table))
    case .tables(let tables):
      tables.append(table)
    case .table:
      throw Failure(
        line: start,
        message: "[[\(dotted(path))]] cannot append to [\(dotted(path))], which is a table"
      )
    case .value(let value):
      throw Failure(
        line: start,
        message: "[[\(dotted(path))]] cannot append to '\(dotted(path))', which is \(Self.describe(value))"
      )
    }
    current = table
  }

  /// The table a header's leading keys lead to, creating implicit tables; an array of tables
  /// leads to its last element.
  private func walk(
    _ path: ArraySlice<String>,
    from start: BuildTable,
    line: Int
  ) throws(Failure) -> BuildTable {
    var table = start
    var walked: [String] = []
    for part in path {
      walked.append(part)
      switch table.entries[part] {
      case nil:
        let created = BuildTable(origin: .implicit)
        table.entries[part] = .table(created)
        table = created
      case .table(let next):
        table = next
      case .tables(let tables):
        table = tables.last
      case .value(let value):
        throw Failure(
          line: line,
          message: "'\(dotted(walked))' is already \(Self.describe(value)); it cannot hold tables"
        )
      }
    }
    return table
  }

  /// Stores a key's value: a dotted key's leading parts create (or continue) tables of their own
  /// kind or tables only named by a longer header, never one a header defined or an inline table.
  private func insert(
    _ value: TOMLValue,
    at path: [String],
    into start: BuildTable,
    line: Int
  ) throws(Failure) {
    var table = start
    var walked: [String] = []
    for part in path.dropLast() {
      walked.append(part)
      switch table.entries[part] {
      case nil:
        let created = BuildTable(origin: .dotted)
        table.entries[part] = .table(created)
        table = created
      case .table(let next) where next.origin == .dotted || next.origin == .implicit:
        table = next
      case .table:
        throw Failure(
          line: line,
          message: "'\(dotted(walked))' is a table defined elsewhere; a dotted key cannot add to it"
        )
      case .tables:
        throw Failure(
          line: line,
          message: "'\(dotted(walked))' is an array of tables; a dotted key cannot add to it"
        )
      case .value(let existing):
        throw Failure(
          line: line,
          message: "'\(dotted(walked))' is already \(Self.describe(existing)); it cannot hold keys"
        )
      }
    }
    let name = path[path.count - 1]
    guard table.entries[name] == nil else {
      throw Failure(line: line, message: "'\(dotted(path))' is defined twice")
    }
    table.entries[name] = .value(value)
  }

  /// `key = value`: the key's parts and the value.
  private mutating func keyValue() throws(Failure) -> ([String], TOMLValue) {
    let path = try key()
    skipSpaces()
    index += 1  // =
    skipSpaces()
    return (path, try value())
  }

  /// A simple or dotted key.
  private mutating func key() throws(Failure) -> [String] {
    var parts: [String] = []
    while true {
      parts.append(try simpleKey())
      let save = index
      skipSpaces()
      guard peek() == ascii(".") else {
        index = save
        return parts
      }
      index += 1
      skipSpaces()
    }
  }

  private mutating func simpleKey() throws(Failure) -> String {
    switch peek() {
    case ascii("\""): return try basicString()
    case ascii("'"): return literalString()
    default:
      let start = index
      while let byte = peek(), TOMLSyntaxChecker.isBare(byte) { index += 1 }
      guard index > start else { throw Failure(line: line, message: "expected a key") }
      return String(decoding: bytes[start..<index], as: UTF8.self)
    }
  }

  // MARK: Values

  private mutating func value() throws(Failure) -> TOMLValue {
    switch peek() {
    case ascii("\""):
      return .string(starts(with: ascii("\""), count: 3) ? multiLineBasicString() : try basicString())
    case ascii("'"):
      return .string(starts(with: ascii("'"), count: 3) ? multiLineLiteralString() : literalString())
    case ascii("["): return try array()
    case ascii("{"): return try inlineTable()
    default: return try scalar()
    }
  }

  private mutating func array() throws(Failure) -> TOMLValue {
    index += 1
    var elements: [TOMLValue] = []
    while true {
      skipTrivia()
      if peek() == ascii("]") || peek() == nil {
        index += 1
        return .array(elements)
      }
      elements.append(try value())
      skipTrivia()
      if peek() == ascii(",") { index += 1 }
    }
  }

  private mutating func inlineTable() throws(Failure) -> TOMLValue {
    let start = line
    index += 1
    let table = BuildTable(origin: .header)
    while true {
      skipSpaces()
      if peek() == ascii("}") || peek() == nil {
        index += 1
        return .table(table.value)
      }
      let (path, value) = try keyValue()
      try insert(value, at: path, into: table, line: start)
      skipSpaces()
      if peek() == ascii(",") { index += 1 }
    }
  }

  private func dotted(_ path: some Collection<String>) -> String {
    path.map { TOMLSyntaxChecker.isBareKey($0) ? $0 : "\"\($0)\"" }.joined(separator: ".")
  }

  /// A value as messages name it: "a string", "an integer", "an inline table".
  static func describe(_ value: TOMLValue) -> String {
    switch value.type {
    case .string: "a string"
    case .int: "an integer"
    case .double: "a float"
    case .bool: "a boolean"
    case .array: "an array"
    case .table: "an inline table"
    case .date: "a date"
    case .time: "a time"
    case .dateTime: "a date-time"
    }
  }

  // MARK: Bytes

  func peek(at offset: Int = 0) -> UInt8? {
    index + offset < bytes.count ? bytes[index + offset] : nil
  }

  func starts(with byte: UInt8, count: Int) -> Bool {
    index + count <= bytes.count && bytes[index..<(index + count)].allSatisfy { $0 == byte }
  }

  mutating func skipSpaces() {
    while let byte = peek(), byte == ascii(" ") || byte == ascii("\t") { index += 1 }
  }

  /// Spaces, newlines and comments.
  mutating func skipTrivia() {
    while let byte = peek() {
      switch byte {
      case ascii(" "), ascii("\t"), ascii("\r"): index += 1
      case ascii("\n"):
        index += 1
        line += 1
      case ascii("#"):
        while let next = peek(), next != ascii("\n") { index += 1 }
      default: return
      }
    }
  }
}

/// A table while the document is built: reopened by headers, extended by dotted keys.
private final class BuildTable {
  /// How the table came to be, which decides what may add to it later.
  enum Origin {
    /// Named only as part of a longer header (`a` of `[a.b]`): a `[a]` header may still define it.
    case implicit
    /// Defined by a header (or the root, or an inline table's own body).
    case header
    /// Created by a dotted key (`a.b = 1` creates `a`): more dotted keys may add to it.
    case dotted
  }

  var origin: Origin
  var entries: [String: Entry] = [:]

  init(origin: Origin) {
    self.origin = origin
  }

  enum Entry {
    case value(TOMLValue)
    case table(BuildTable)
    case tables(BuildTables)
  }

  /// The finished table as a value.
  var value: TOMLTable {
    TOMLTable(
      entries: entries.mapValues { entry in
        switch entry {
        case .value(let value): value
        case .table(let table): .table(table.value)
        case .tables(let tables): .array(tables.all.map { .table($0.value) })
        }
      }
    )
  }
}

/// An array of tables (`[[name]]`) while the document is built.
private final class BuildTables {
  private(set) var all: [BuildTable]

  init(_ first: BuildTable) {
    all = [first]
  }

  var last: BuildTable { all[all.count - 1] }

  func append(_ table: BuildTable) {
    all.append(table)
  }
}
