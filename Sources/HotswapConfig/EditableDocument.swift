/// A config file's lines with the edits ``ConfigEditor`` makes, addressed by original line numbers.
///
/// Edits never renumber: a removed line becomes `nil` and inserted lines hang off the line they
/// follow, so every ``SourceMap`` entry stays valid while edits accumulate.
struct EditableDocument {
  let source: SourceMap
  private var lines: [String?]
  private var insertions: [Int: [String]] = [:]
  private let byteOrderMark: Bool
  private let lineEnding: String

  init(_ text: String) {
    source = SourceMap(text)
    lines = source.lines.map { String(decoding: $0, as: UTF8.self) }
    byteOrderMark = text.utf8.starts(with: [0xEF, 0xBB, 0xBF])
    let crlf = source.lines.dropLast().filter { $0.last == UInt8(ascii: "\r") }.count
    lineEnding = crlf > 0 && crlf * 2 >= source.lines.count - 1 ? "\r" : ""
  }

  /// The edited text.
  var text: String {
    var output: [String] = insertions[0] ?? []
    for (index, line) in lines.enumerated() {
      if let line { output.append(line) }
      output += insertions[index + 1] ?? []
    }
    return (byteOrderMark ? "\u{FEFF}" : "") + output.joined(separator: "\n")
  }

  /// A top-level `key = value` line.
  func rootEntry(_ key: String) -> SourceMap.Entry? {
    source.entries.first { $0.kind == .key && $0.table.isEmpty && $0.key == [key] }
  }

  /// The `slot = weight` lines directly under `[traffic]`.
  func trafficWeightEntries() -> [SourceMap.Entry] {
    source.entries.filter {
      $0.kind == .key && $0.table == ["traffic"] && $0.key.count == 1 && $0.key != ["sticky_header"]
    }
  }

  /// Refuses traffic written as an inline table, dotted keys or multi-line values, which line
  /// edits cannot rewrite safely.
  func requireTrafficAsTable(file: String) throws(ConfigErrors) {
    let odd = source.entries.first { entry in
      guard entry.kind == .key, entry.path.first == "traffic" else { return false }
      return entry.table != ["traffic"] || entry.key.count != 1 || entry.valueColumns == nil
    }
    guard let odd else { return }
    throw ConfigErrors([
      ConfigError(
        file: file,
        line: odd.line,
        message:
          "cannot edit the traffic weights here: write them as a [traffic] table with one 'slot = weight' per line"
      )
    ])
  }

  /// The line after which new `[traffic]` keys go: its last key, or its header.
  func trafficEnd() -> Int {
    let keys = source.entries.filter { $0.kind == .key && $0.table == ["traffic"] }
    return keys.last?.lastLine ?? source.header(["traffic"])?.line ?? lines.count
  }

  /// The line after which a new `[traffic]` table goes: the end of the last `[slots.*]` table,
  /// including comment lines right below it; the end of the file if there is none.
  func slotsEnd() -> Int {
    guard let index = source.entries.lastIndex(where: { $0.path.first == "slots" }) else {
      return lastContentLine()
    }
    let next = source.entries[(index + 1)...].first { $0.kind == .table }
    guard next != nil else { return lastContentLine() }
    var end = source.entries[index].lastLine
    while end < lines.count, let line = lines[end], line.trimmingSpaces.hasPrefix("#") {
      end += 1
    }
    return end
  }

  private func lastContentLine() -> Int {
    var end = lines.count
    while end > 0, (lines[end - 1] ?? "").trimmingSpaces.isEmpty { end -= 1 }
    return end
  }

  /// Replaces a one-line value, keeping the key, the spacing and any comment after it.
  mutating func replaceValue(of entry: SourceMap.Entry, with value: String) {
    guard let columns = entry.valueColumns else { return }
    let bytes = source.lines[entry.line - 1]
    let before = String(decoding: bytes[..<columns.lowerBound], as: UTF8.self)
    let after = String(decoding: bytes[columns.upperBound...], as: UTF8.self)
    lines[entry.line - 1] = before + value + after
  }

  mutating func remove(lines range: ClosedRange<Int>) {
    for line in range where line <= lines.count { lines[line - 1] = nil }
  }

  /// Inserts `newLines` after original line `line` (0 for the very top).
  mutating func insert(_ newLines: [String], after line: Int) {
    guard !newLines.isEmpty else { return }
    let ending = lineEnding
    insertions[line, default: []] += newLines.map { $0 + ending }
  }

  /// Inserts `newLines` and a blank line before the first table header, or at the end.
  mutating func insertBeforeFirstTable(_ newLines: [String]) {
    guard let header = source.entries.first(where: { $0.kind == .table }) else {
      insert(newLines, after: lastContentLine())
      return
    }
    insert(newLines + [""], after: header.line - 1)
  }
}
