/// Strings, numbers, booleans and dates, decoded from text the grammar check accepted.
extension TOMLDocument {
  // MARK: Strings

  mutating func basicString() throws(Failure) -> String {
    index += 1
    var content: [UInt8] = []
    while let byte = peek(), byte != ascii("\"") {
      index += 1
      if byte == ascii("\\") {
        try escape(into: &content)
      } else {
        content.append(byte)
      }
    }
    index += 1
    return String(decoding: content, as: UTF8.self)
  }

  mutating func multiLineBasicString() -> String {
    index += 3
    skipFirstNewline()
    var content: [UInt8] = []
    while let byte = peek() {
      if starts(with: ascii("\""), count: 3) {
        // Up to two quotes right before the closing three belong to the content.
        var quotes = 3
        while peek(at: quotes) == ascii("\""), quotes < 5 { quotes += 1 }
        content.append(contentsOf: repeatElement(ascii("\""), count: quotes - 3))
        index += quotes
        break
      }
      index += 1
      if byte == ascii("\\") {
        if lineEndingBackslash() { continue }
        try? escape(into: &content)
      } else {
        if byte == ascii("\n") { line += 1 }
        content.append(byte)
      }
    }
    return String(decoding: content, as: UTF8.self)
  }

  mutating func literalString() -> String {
    index += 1
    let start = index
    while let byte = peek(), byte != ascii("'") { index += 1 }
    defer { index += 1 }
    return String(decoding: bytes[start..<index], as: UTF8.self)
  }

  mutating func multiLineLiteralString() -> String {
    index += 3
    skipFirstNewline()
    var content: [UInt8] = []
    while let byte = peek() {
      if starts(with: ascii("'"), count: 3) {
        var quotes = 3
        while peek(at: quotes) == ascii("'"), quotes < 5 { quotes += 1 }
        content.append(contentsOf: repeatElement(ascii("'"), count: quotes - 3))
        index += quotes
        break
      }
      index += 1
      if byte == ascii("\n") { line += 1 }
      content.append(byte)
    }
    return String(decoding: content, as: UTF8.self)
  }

  /// A newline right after a multi-line string's opening delimiter is not part of it.
  private mutating func skipFirstNewline() {
    if peek() == ascii("\r"), peek(at: 1) == ascii("\n") {
      index += 2
      line += 1
    } else if peek() == ascii("\n") {
      index += 1
      line += 1
    }
  }

  /// After a backslash: when only spaces follow to the end of the line, skips them and every
  /// following space and newline (a line-ending backslash) and returns true.
  private mutating func lineEndingBackslash() -> Bool {
    var probe = index
    while probe < bytes.count, bytes[probe] == ascii(" ") || bytes[probe] == ascii("\t") { probe += 1 }
    guard probe < bytes.count, bytes[probe] == ascii("\n") || bytes[probe] == ascii("\r") else {
      return false
    }
    index = probe
    while let byte = peek(), [ascii(" "), ascii("\t"), ascii("\r"), ascii("\n")].contains(byte) {
      if byte == ascii("\n") { line += 1 }
      index += 1
    }
    return true
  }

  /// The escape after a backslash (consumed), appended as UTF-8.
  private mutating func escape(into content: inout [UInt8]) throws(Failure) {
    guard let byte = peek() else { return }
    index += 1
    switch byte {
    case ascii("b"): content.append(0x08)
    case ascii("t"): content.append(0x09)
    case ascii("n"): content.append(0x0A)
    case ascii("f"): content.append(0x0C)
    case ascii("r"): content.append(0x0D)
    case ascii("\""): content.append(ascii("\""))
    case ascii("\\"): content.append(ascii("\\"))
    case ascii("u"), ascii("U"):
      let count = byte == ascii("u") ? 4 : 8
      guard index + count <= bytes.count,
        let value = UInt32(String(decoding: bytes[index..<(index + count)], as: UTF8.self), radix: 16),
        let scalar = Unicode.Scalar(value)
      else { throw Failure(line: line, message: "invalid \\\(Character(Unicode.Scalar(byte))) escape") }
      index += count
      content.append(contentsOf: String(Character(scalar)).utf8)
    default:
      throw Failure(line: line, message: "invalid escape in a string")
    }
  }

  // MARK: Numbers, booleans, dates

  /// An unquoted value: its token is read as the grammar check read it.
  mutating func scalar() throws(Failure) -> TOMLValue {
    let start = index
    while let byte = peek(), Self.isScalar(byte) { index += 1 }
    if ScalarGrammar.isDate(bytes[start..<index]), peek() == ascii(" "), let next = peek(at: 1),
      TOMLSyntaxChecker.isDigit(next)
    {
      index += 1
      while let byte = peek(), Self.isScalar(byte) { index += 1 }
    }
    let token = String(decoding: bytes[start..<index], as: UTF8.self)
    switch token {
    case "true": return .bool(true)
    case "false": return .bool(false)
    case "inf", "+inf": return .double(.infinity)
    case "-inf": return .double(-.infinity)
    case "nan", "+nan", "-nan": return .double(.nan)
    default: break
    }
    if let kind = Self.dateKind(token) { return .dateTime(token, kind) }
    let digits = token.filter { $0 != "_" }
    if digits.hasPrefix("0x") || digits.hasPrefix("0o") || digits.hasPrefix("0b") {
      let radix = digits.hasPrefix("0x") ? 16 : digits.hasPrefix("0o") ? 8 : 2
      guard let value = Int(digits.dropFirst(2), radix: radix) else { throw outOfRange(token, "integer") }
      return .int(value)
    }
    if digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
      guard let value = Double(digits), value.isFinite else { throw outOfRange(token, "float") }
      return .double(value)
    }
    guard let value = Int(digits) else { throw outOfRange(token, "integer") }
    return .int(value)
  }

  private func outOfRange(_ token: String, _ kind: String) -> Failure {
    Failure(
      line: line,
      message: kind == "integer"
        ? "integer \(token) is out of range (-9223372036854775808 to 9223372036854775807)"
        : "float \(token) is out of range"
    )
  }

  /// `.date`, `.time` or `.dateTime` for a date or time token, nil for a number.
  private static func dateKind(_ token: String) -> TOMLType? {
    let bytes = Array(token.utf8)
    let isDate = bytes.count >= 10 && bytes[4] == ascii("-") && bytes[7] == ascii("-")
    let isTime = bytes.count >= 8 && bytes[2] == ascii(":")
    if isDate { return bytes.count > 10 ? .dateTime : .date }
    return isTime ? .time : nil
  }

  private static func isScalar(_ byte: UInt8) -> Bool {
    TOMLSyntaxChecker.isBare(byte) || byte == ascii("+") || byte == ascii(".") || byte == ascii(":")
  }
}
