/// A strict TOML 1.0 grammar check that runs before ``TOMLDocument`` builds the tree.
///
/// It walks the whole grammar — comments, headers, keys, all four string forms, numbers, dates,
/// arrays and inline tables — and the limits (``ConfigLimits``), so the builder only ever sees
/// well-formed text of bounded size, key count and nesting, and adds the rules grammar cannot
/// express (duplicate keys, table redefinitions). Its messages name the line and what was
/// expected. (It was written to guard toml++, which *assumed* grammar preconditions — `x = [ } ]`
/// failed an assertion — before TOMLDocument replaced it.)
struct TOMLSyntaxChecker {
  /// The first grammar error: its 1-based line and a reason.
  struct Failure: Error, Equatable {
    let line: Int
    let message: String
  }

  let bytes: [UInt8]
  var index = 0
  var line = 1
  /// Tables, arrays and inline tables open around the current position (see
  /// ``ConfigLimits/maxNesting``).
  private var depth = 0
  /// The parts of the current `[table]` header: keys below it nest that much deeper.
  private var headerDepth = 0
  /// Keys and headers seen so far (see ``ConfigLimits/maxKeys``).
  private var keys = 0

  /// The first grammar error in `text`, or `nil` when the text is well-formed TOML.
  static func firstError(in text: String) -> Failure? {
    var checker = TOMLSyntaxChecker(bytes: Array(text.utf8))
    do {
      try checker.document()
      return nil
    } catch {
      return error
    }
  }

  private init(bytes: [UInt8]) {
    self.bytes = bytes
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
  }

  // MARK: Document structure

  private mutating func document() throws(Failure) {
    while true {
      skipSpaces()
      guard let byte = peek() else { return }
      switch byte {
      case ascii("#"): try comment()
      case ascii("\n"), ascii("\r"): try newline()
      case ascii("["):
        try header()
        try endOfLine(after: "the table header")
      default:
        try keyValue()
        try endOfLine(after: "the value")
      }
    }
  }

  private mutating func endOfLine(after what: String) throws(Failure) {
    skipSpaces()
    if peek() == ascii("#") { try comment() }
    guard let byte = peek() else { return }
    guard byte == ascii("\n") || byte == ascii("\r") else {
      throw fail("unexpected \(describe(byte)) after \(what); put each key = value on its own line")
    }
    try newline()
  }

  private mutating func header() throws(Failure) {
    index += 1
    let isArray = peek() == ascii("[")
    if isArray { index += 1 }
    skipSpaces()
    depth = 0
    headerDepth = try key()
    depth = headerDepth
    skipSpaces()
    guard peek() == ascii("]") else {
      throw fail("expected ']' to close the table header, saw \(describeNext())")
    }
    index += 1
    if isArray {
      guard peek() == ascii("]") else { throw fail("expected ']]' to close the array-of-tables header") }
      index += 1
    }
  }

  private mutating func keyValue() throws(Failure) {
    let outer = depth
    let parts = try key()
    skipSpaces()
    guard peek() == ascii("=") else { throw fail("expected '=' after the key, saw \(describeNext())") }
    index += 1
    skipSpaces()
    // The value sits inside the key's dotted tables.
    depth += parts - 1
    try value()
    depth = outer
  }

  /// A simple or dotted key; returns its parts. Counts towards ``ConfigLimits/maxKeys`` and
  /// each part nests one level deeper.
  private mutating func key() throws(Failure) -> Int {
    keys += 1
    guard keys <= ConfigLimits.maxKeys else {
      throw fail(
        "the file has more than \(ConfigLimits.maxKeys) keys and table headers; the limit is \(ConfigLimits.maxKeys)"
      )
    }
    var parts = 0
    while true {
      parts += 1
      try enter()
      try simpleKey()
      let save = index
      skipSpaces()
      guard peek() == ascii(".") else {
        index = save
        depth -= parts
        return parts
      }
      index += 1
      skipSpaces()
    }
  }

  /// One level deeper; fails past ``ConfigLimits/maxNesting``.
  private mutating func enter() throws(Failure) {
    depth += 1
    guard depth <= ConfigLimits.maxNesting else {
      throw fail(
        "tables, dotted keys, arrays and inline tables nest more than \(ConfigLimits.maxNesting) levels deep here; the limit is \(ConfigLimits.maxNesting)"
      )
    }
  }

  private mutating func simpleKey() throws(Failure) {
    guard let byte = peek() else { throw fail("expected a key, saw the end of the file") }
    if byte == ascii("\"") || byte == ascii("'") {
      guard !starts(with: byte, count: 3) else { throw fail("a key cannot be a multi-line string") }
      try byte == ascii("\"") ? basicString() : literalString()
      return
    }
    guard Self.isBare(byte) else {
      throw fail("expected a key (letters, digits, '_', '-' or a quoted name), saw \(describe(byte))")
    }
    while let next = peek(), Self.isBare(next) { index += 1 }
  }

  // MARK: Values

  private mutating func value() throws(Failure) {
    guard let byte = peek() else { throw fail("expected a value, saw the end of the file") }
    switch byte {
    case ascii("\""):
      try starts(with: byte, count: 3) ? multiLineBasicString() : basicString()
    case ascii("'"):
      try starts(with: byte, count: 3) ? multiLineLiteralString() : literalString()
    case ascii("["): try nested { (checker: inout Self) throws(Failure) in try checker.array() }
    case ascii("{"): try nested { (checker: inout Self) throws(Failure) in try checker.inlineTable() }
    default:
      guard Self.isScalar(byte) else { throw fail("expected a value, saw \(describe(byte))") }
      try scalar()
    }
  }

  private mutating func nested(_ body: (inout Self) throws(Failure) -> Void) throws(Failure) {
    try enter()
    try body(&self)
    depth -= 1
  }

  private mutating func array() throws(Failure) {
    index += 1
    while true {
      try skipSpacesNewlinesAndComments()
      if peek() == ascii("]") {
        index += 1
        return
      }
      try value()
      try skipSpacesNewlinesAndComments()
      switch peek() {
      case ascii(","): index += 1
      case ascii("]"):
        index += 1
        return
      default: throw fail("expected ',' or ']' in the array, saw \(describeNext())")
      }
    }
  }

  private mutating func inlineTable() throws(Failure) {
    index += 1
    skipSpaces()
    if peek() == ascii("}") {
      index += 1
      return
    }
    while true {
      try keyValue()
      skipSpaces()
      switch peek() {
      case ascii(","):
        index += 1
        skipSpaces()
      case ascii("}"):
        index += 1
        return
      default:
        throw fail(
          "expected ',' or '}' in the inline table (which must fit on one line), saw \(describeNext())"
        )
      }
    }
  }

  /// Numbers, booleans, inf/nan, dates and times: one token checked against their grammars.
  private mutating func scalar() throws(Failure) {
    let start = index
    while let byte = peek(), Self.isScalar(byte) { index += 1 }
    // A date and a time may be separated by one space: "1979-05-27 07:32:00".
    if ScalarGrammar.isDate(bytes[start..<index]), peek() == ascii(" "), index + 1 < bytes.count,
      Self.isDigit(bytes[index + 1])
    {
      index += 1
      while let byte = peek(), Self.isScalar(byte) { index += 1 }
    }
    let token = bytes[start..<index]
    guard ScalarGrammar.isValid(token) else {
      throw fail("'\(String(decoding: token, as: UTF8.self))' is not a valid value; strings need quotes")
    }
  }
}

extension TOMLSyntaxChecker {
  // MARK: Whitespace, comments, newlines

  mutating func skipSpaces() {
    while let byte = peek(), byte == ascii(" ") || byte == ascii("\t") { index += 1 }
  }

  private mutating func skipSpacesNewlinesAndComments() throws(Failure) {
    while let byte = peek() {
      switch byte {
      case ascii(" "), ascii("\t"): index += 1
      case ascii("\n"), ascii("\r"): try newline()
      case ascii("#"): try comment()
      default: return
      }
    }
  }

  private mutating func comment() throws(Failure) {
    index += 1
    while let byte = peek(), byte != ascii("\n"), byte != ascii("\r") {
      if (byte < 0x20 && byte != ascii("\t")) || byte == 0x7F {
        throw fail("control character in a comment")
      }
      index += 1
    }
  }

  mutating func newline() throws(Failure) {
    if peek() == ascii("\r") {
      index += 1
      guard peek() == ascii("\n") else { throw fail("a carriage return must be followed by a line feed") }
    }
    index += 1
    line += 1
  }

  // MARK: Bytes

  func peek() -> UInt8? {
    index < bytes.count ? bytes[index] : nil
  }

  func starts(with byte: UInt8, count: Int) -> Bool {
    index + count <= bytes.count && bytes[index..<(index + count)].allSatisfy { $0 == byte }
  }

  func fail(_ message: String) -> Failure {
    Failure(line: line, message: message)
  }

  private func describeNext() -> String {
    peek().map(describe) ?? "the end of the file"
  }

  func describe(_ byte: UInt8) -> String {
    switch byte {
    case ascii("\n"), ascii("\r"): return "the end of the line"
    case 0x21...0x7E: return "'\(Character(UnicodeScalar(byte)))'"
    default:
      let rest = String(decoding: bytes[index...].prefix(4), as: UTF8.self)
      if byte >= 0x80, let character = rest.first, character != "\u{FFFD}" { return "'\(character)'" }
      return "byte 0x\(String(byte, radix: 16, uppercase: true).leftPadded(to: 2))"
    }
  }

  func describeRaw(_ byte: UInt8) -> String {
    (0x21...0x7E).contains(byte)
      ? String(Character(UnicodeScalar(byte))) : "(byte 0x\(String(byte, radix: 16)))"
  }

  static func isBare(_ byte: UInt8) -> Bool {
    isDigit(byte) || (byte | 0x20 >= ascii("a") && byte | 0x20 <= ascii("z")) || byte == ascii("_")
      || byte == ascii("-")
  }

  /// Whether `key` can be written without quotes.
  static func isBareKey(_ key: String) -> Bool {
    !key.isEmpty && key.utf8.allSatisfy(isBare)
  }

  static func isDigit(_ byte: UInt8) -> Bool { byte >= ascii("0") && byte <= ascii("9") }

  private static func isScalar(_ byte: UInt8) -> Bool {
    isBare(byte) || byte == ascii("+") || byte == ascii(".") || byte == ascii(":")
  }

  static func hexValue(_ byte: UInt8) -> UInt32? {
    switch byte {
    case ascii("0")...ascii("9"): UInt32(byte - ascii("0"))
    case ascii("a")...ascii("f"): UInt32(byte - ascii("a") + 10)
    case ascii("A")...ascii("F"): UInt32(byte - ascii("A") + 10)
    default: nil
    }
  }
}

/// `UInt8(ascii:)` for a one-character string literal, shorter to read in a scanner.
func ascii(_ character: Unicode.Scalar) -> UInt8 {
  UInt8(ascii: character)
}

extension String {
  func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
