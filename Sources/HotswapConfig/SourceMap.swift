/// Where each table header and key of a TOML document is written.
///
/// TOMLDocument gives values but not their lines, so this small scanner reads the text itself: it
/// tracks the current `[table]` header and records every `key = value` line, skipping over
/// multi-line strings and arrays. It never rejects input; syntax errors are the checker's to report.
struct SourceMap: Sendable {
  /// One table header or key/value line.
  struct Entry: Sendable, Equatable {
    /// Whether the entry is a `[table]` / `[[array]]` header or a `key = value` line.
    enum Kind: Sendable, Equatable {
      case table
      case key
    }

    let kind: Kind
    /// For a header, its own path; for a key, the path of the header above it.
    let table: [String]
    /// For a key, its dotted parts (`a.b = 1` → `["a", "b"]`); empty for a header.
    let key: [String]
    /// The 1-based line the entry starts on.
    let line: Int
    /// The 1-based line the entry's value ends on (multi-line strings and arrays).
    var lastLine: Int
    /// The UTF-8 byte offsets of a single-line value within its line, without comment or spaces.
    let valueColumns: Range<Int>?

    var path: [String] { table + key }
  }

  /// The lines of the text, split on `\n` (a `\r` before it stays part of the line).
  let lines: [[UInt8]]
  /// Every header and key line in file order.
  let entries: [Entry]
  private let firstLines: [String: Int]

  init(_ text: String) {
    var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
      .map { Array($0) }
    if let first = lines.first, first.starts(with: [0xEF, 0xBB, 0xBF]) {
      lines[0] = Array(first.dropFirst(3))
    }
    var scanner = SourceScanner()
    for (index, line) in lines.enumerated() {
      scanner.scan(line, number: index + 1)
    }
    var firstLines: [String: Int] = [:]
    for entry in scanner.entries {
      let path = entry.path
      let shortest = entry.kind == .table ? 1 : entry.table.count + 1
      for length in stride(from: path.count, through: max(shortest, 1), by: -1) {
        let key = Self.key(path.prefix(length))
        if firstLines[key] == nil { firstLines[key] = entry.line }
      }
    }
    self.lines = lines
    self.entries = scanner.entries
    self.firstLines = firstLines
  }

  /// The first line that writes `path` (a header, a key, or a dotted key through it); failing that,
  /// the line of its longest written prefix (a key inside an inline table reports the table's line).
  func line(of path: [String]) -> Int? {
    var length = path.count
    while length > 0 {
      if let line = firstLines[Self.key(path.prefix(length))] { return line }
      length -= 1
    }
    return nil
  }

  /// The header entry for `table`, if the file writes one.
  func header(_ table: [String]) -> Entry? {
    entries.first { $0.kind == .table && $0.table == table }
  }

  private static func key(_ path: some Collection<String>) -> String {
    path.joined(separator: "\u{1F}")
  }
}

/// The line-by-line state machine behind ``SourceMap``.
private struct SourceScanner {
  private enum StringMode {
    case none, basic, literal, multiBasic, multiLiteral
  }

  private struct ValueState {
    var depth = 0
    var mode = StringMode.none
    var isClosed: Bool { depth <= 0 && mode == .none }
  }

  private(set) var entries: [SourceMap.Entry] = []
  private var table: [String] = []
  private var pending: ValueState?

  mutating func scan(_ line: [UInt8], number: Int) {
    if var state = pending {
      _ = Self.scanValue(line, from: 0, state: &state)
      entries[entries.count - 1].lastLine = number
      pending = state.isClosed ? nil : state
      return
    }
    let start = Self.skipSpaces(line, from: 0)
    guard start < line.count, line[start] != UInt8(ascii: "#") else { return }
    if line[start] == UInt8(ascii: "[") {
      let isArray = start + 1 < line.count && line[start + 1] == UInt8(ascii: "[")
      guard let (path, _) = Self.parseKey(line, from: start + (isArray ? 2 : 1)) else { return }
      table = path
      entries.append(
        .init(kind: .table, table: path, key: [], line: number, lastLine: number, valueColumns: nil)
      )
      return
    }
    guard let (key, afterKey) = Self.parseKey(line, from: start) else { return }
    let equals = Self.skipSpaces(line, from: afterKey)
    guard equals < line.count, line[equals] == UInt8(ascii: "=") else { return }
    let valueStart = Self.skipSpaces(line, from: equals + 1)
    var state = ValueState()
    let valueEnd = Self.scanValue(line, from: valueStart, state: &state)
    let columns = state.isClosed && valueEnd > valueStart ? valueStart..<valueEnd : nil
    entries.append(
      .init(kind: .key, table: table, key: key, line: number, lastLine: number, valueColumns: columns)
    )
    pending = state.isClosed ? nil : state
  }

  private static func isSpace(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
  }

  private static func skipSpaces(_ line: [UInt8], from index: Int) -> Int {
    var index = index
    while index < line.count, isSpace(line[index]) { index += 1 }
    return index
  }

  private static func isBare(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
      true
    default: false
    }
  }

  /// Parses a dotted key (`a."b.c".'d'`) and returns its parts and the index after it.
  private static func parseKey(_ line: [UInt8], from start: Int) -> ([String], Int)? {
    var parts: [String] = []
    var index = start
    while true {
      index = skipSpaces(line, from: index)
      guard index < line.count else { return nil }
      let part: [UInt8]
      switch line[index] {
      case UInt8(ascii: "\""):
        guard let (text, next) = parseBasicString(line, from: index + 1) else { return nil }
        (part, index) = (text, next)
      case UInt8(ascii: "'"):
        guard let close = line[(index + 1)...].firstIndex(of: UInt8(ascii: "'")) else { return nil }
        (part, index) = (Array(line[(index + 1)..<close]), close + 1)
      default:
        var end = index
        while end < line.count, isBare(line[end]) { end += 1 }
        guard end > index else { return nil }
        (part, index) = (Array(line[index..<end]), end)
      }
      parts.append(String(decoding: part, as: UTF8.self))
      index = skipSpaces(line, from: index)
      guard index < line.count, line[index] == UInt8(ascii: ".") else { return (parts, index) }
      index += 1
    }
  }

  /// Reads a `"…"` key after its opening quote, undoing the simple escapes.
  private static func parseBasicString(_ line: [UInt8], from start: Int) -> ([UInt8], Int)? {
    var text: [UInt8] = []
    var index = start
    while index < line.count {
      let byte = line[index]
      if byte == UInt8(ascii: "\"") { return (text, index + 1) }
      if byte == UInt8(ascii: "\\"), index + 1 < line.count {
        let escaped = line[index + 1]
        switch escaped {
        case UInt8(ascii: "n"): text.append(UInt8(ascii: "\n"))
        case UInt8(ascii: "t"): text.append(UInt8(ascii: "\t"))
        case UInt8(ascii: "r"): text.append(UInt8(ascii: "\r"))
        default: text.append(escaped)
        }
        index += 2
        continue
      }
      text.append(byte)
      index += 1
    }
    return nil
  }

  /// Scans a value from `start`, updating `state` (open brackets, open strings), and returns the
  /// index just after the value's last byte on this line.
  private static func scanValue(_ line: [UInt8], from start: Int, state: inout ValueState) -> Int {
    let quote = UInt8(ascii: "\"")
    let apostrophe = UInt8(ascii: "'")
    var index = start
    var end = start
    func tripled(_ byte: UInt8, at index: Int) -> Bool {
      index + 2 < line.count && line[index] == byte && line[index + 1] == byte && line[index + 2] == byte
    }
    scanning: while index < line.count {
      let byte = line[index]
      switch state.mode {
      case .none:
        switch byte {
        case UInt8(ascii: "#"): break scanning
        case quote: state.mode = tripled(quote, at: index) ? .multiBasic : .basic
        case apostrophe: state.mode = tripled(apostrophe, at: index) ? .multiLiteral : .literal
        case UInt8(ascii: "["), UInt8(ascii: "{"): state.depth += 1
        case UInt8(ascii: "]"), UInt8(ascii: "}"): state.depth -= 1
        default: break
        }
        index += (state.mode == .multiBasic || state.mode == .multiLiteral) ? 3 : 1
        if !isSpace(byte) { end = index }
      case .basic, .multiBasic:
        if byte == UInt8(ascii: "\\") {
          index += 2
        } else if state.mode == .basic, byte == quote {
          state.mode = .none
          index += 1
        } else if state.mode == .multiBasic, tripled(quote, at: index) {
          state.mode = .none
          index += 3
          while index < line.count, line[index] == quote { index += 1 }
        } else {
          index += 1
        }
        end = min(index, line.count)
      case .literal, .multiLiteral:
        if state.mode == .literal, byte == apostrophe {
          state.mode = .none
          index += 1
        } else if state.mode == .multiLiteral, tripled(apostrophe, at: index) {
          state.mode = .none
          index += 3
          while index < line.count, line[index] == apostrophe { index += 1 }
        } else {
          index += 1
        }
        end = min(index, line.count)
      }
    }
    // A one-line string cannot continue on the next line; the grammar check reports it.
    if state.mode == .basic || state.mode == .literal { state.mode = .none }
    return end
  }
}
