/// Why a body is not valid JSON, with the byte offset.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What is wrong.
  public let message: String
  /// Byte offset into the body.
  public let offset: Int
  /// True when the document broke a size limit of `JSONParser.Options` rather than the grammar.
  public let isLimit: Bool

  init(message: String, offset: Int, isLimit: Bool = false) {
    self.message = message
    self.offset = offset
    self.isLimit = isLimit
  }

  /// "message at byte N".
  public var description: String { "\(message) at byte \(offset)" }
}

/// A strict RFC 8259 parser over bytes: no NaN/Infinity literals (unless asked for), no trailing
/// commas, no comments, bounded nesting, duplicate keys rejected. Written for request bodies: one
/// pass, no Foundation, time linear in the body's size (keys of large objects are checked for
/// duplicates through a hash set; Swift's hashing is seeded per process).
public struct JSONParser {
  /// Deepest nesting accepted.
  public static let maxDepth = 64
  /// Objects with more members than this check duplicate keys with a set, not by scanning.
  static let linearKeyCheckLimit = 12

  /// What a document may hold beyond RFC 8259's grammar, and how large it may grow.
  public struct Options: Sendable {
    /// Accept `NaN`, `Inf`, `Infinity` with an optional `-` as numbers, as Triton's JSON reader
    /// (RapidJSON's `kParseNanAndInfFlag`) does: the Open Inference Protocol sends FP32 and FP64
    /// tensors so.
    public var allowsNonFiniteNumbers: Bool
    /// Most members one array or object may hold; checked while parsing, before the container is
    /// built, so a limit on rows costs no memory for the rows over it.
    public var maxContainerCount: Int

    /// Creates options; the defaults are strict RFC 8259 with no size limit but the body's.
    public init(allowsNonFiniteNumbers: Bool = false, maxContainerCount: Int = .max) {
      self.allowsNonFiniteNumbers = allowsNonFiniteNumbers
      self.maxContainerCount = maxContainerCount
    }

    /// Strict RFC 8259.
    public static let strict = Options()
  }

  private let bytes: UnsafeBufferPointer<UInt8>
  private let options: Options
  private var index = 0
  private var depth = 0

  private init(bytes: UnsafeBufferPointer<UInt8>, options: Options) {
    self.bytes = bytes
    self.options = options
  }

  /// Parses a whole document.
  public static func parse(
    _ bytes: some Collection<UInt8>,
    options: Options = .strict
  ) throws(JSONParseError) -> JSONValue {
    let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
      parseBuffer(buffer, options: options)
    }
    if let result { return try result.get() }
    let copy = Array(bytes)
    return try copy.withUnsafeBufferPointer { parseBuffer($0, options: options) }.get()
  }

  private static func parseBuffer(
    _ buffer: UnsafeBufferPointer<UInt8>,
    options: Options
  ) -> Result<JSONValue, JSONParseError> {
    var parser = JSONParser(bytes: buffer, options: options)
    do throws(JSONParseError) {
      parser.skipWhitespace()
      let value = try parser.parseValue()
      parser.skipWhitespace()
      guard parser.index == buffer.count else { throw parser.error("unexpected data after the JSON value") }
      return .success(value)
    } catch {
      return .failure(error)
    }
  }

  private func error(_ message: String) -> JSONParseError {
    JSONParseError(message: message, offset: index)
  }

  private mutating func skipWhitespace() {
    while index < bytes.count {
      switch bytes[index] {
      case 0x20, 0x09, 0x0A, 0x0D: index += 1
      default: return
      }
    }
  }

  private mutating func parseValue() throws(JSONParseError) -> JSONValue {
    guard index < bytes.count else { throw error(index == 0 ? "empty body" : "unexpected end of JSON") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
    case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
    case UInt8(ascii: "n"): try expectLiteral("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    case UInt8(ascii: "N"), UInt8(ascii: "I"): return try parseNonFinite(negative: false)
    default:
      throw error("unexpected character '\(Self.printable(bytes[index]))'")
    }
  }

  private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
    let count = literal.utf8CodeUnitCount
    guard index + count <= bytes.count else { throw error("invalid literal") }
    let start = literal.utf8Start
    for offset in 0..<count where bytes[index + offset] != start[offset] {
      throw error("invalid literal")
    }
    index += count
  }

  /// `NaN`, `Inf` or `Infinity` at `index` (after any `-`), where the options allow them.
  private mutating func parseNonFinite(negative: Bool) throws(JSONParseError) -> JSONValue {
    guard options.allowsNonFiniteNumbers else {
      throw error("NaN and Infinity are not JSON; send null for a missing value")
    }
    if bytes[index] == UInt8(ascii: "N") {
      try expectLiteral("NaN")
      return .number(.nan, isInteger: false)
    }
    try expectLiteral("Inf")
    if index < bytes.count, bytes[index] == UInt8(ascii: "i") { try expectLiteral("inity") }
    return .number(negative ? -.infinity : .infinity, isInteger: false)
  }

  private mutating func enter() throws(JSONParseError) {
    depth += 1
    if depth > Self.maxDepth { throw error("JSON nested deeper than \(Self.maxDepth) levels") }
  }

  private mutating func parseObject() throws(JSONParseError) -> JSONValue {
    try enter()
    index += 1
    var members: [(key: String, value: JSONValue)] = []
    var seen: Set<String> = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
      index += 1
      depth -= 1
      return .object(JSONObject(members))
    }
    while true {
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of JSON in an object") }
      guard bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
      let keyOffset = index
      let key = try parseString()
      try checkUnique(key, at: keyOffset, in: members, seen: &seen)
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
        throw error("expected ':' after key")
      }
      index += 1
      skipWhitespace()
      try checkCount(members.count, at: keyOffset, "an object")
      members.append((key, try parseValue()))
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of JSON in an object") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      guard bytes[index] == UInt8(ascii: "}") else { throw error("expected ',' or '}' in an object") }
      index += 1
      depth -= 1
      return .object(JSONObject(members))
    }
  }

  private mutating func parseArray() throws(JSONParseError) -> JSONValue {
    try enter()
    index += 1
    var elements: [JSONValue] = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
      index += 1
      depth -= 1
      return .array(elements)
    }
    while true {
      skipWhitespace()
      try checkCount(elements.count, at: index, "an array")
      elements.append(try parseValue())
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of JSON in an array") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      guard bytes[index] == UInt8(ascii: "]") else { throw error("expected ',' or ']' in an array") }
      index += 1
      depth -= 1
      return .array(elements)
    }
  }

  /// Rejects a key the object already has. Small objects scan their members (no allocation);
  /// from `linearKeyCheckLimit` members on, every key goes through `seen`, so a body of 90 000
  /// keys costs 90 000 hash lookups, not 4 billion comparisons.
  private func checkUnique(
    _ key: String,
    at offset: Int,
    in members: [(key: String, value: JSONValue)],
    seen: inout Set<String>
  ) throws(JSONParseError) {
    if members.count < Self.linearKeyCheckLimit {
      guard !members.contains(where: { $0.key == key }) else {
        throw JSONParseError(message: "duplicate key '\(key)'", offset: offset)
      }
      return
    }
    if seen.isEmpty { seen = Set(members.map(\.key)) }
    guard seen.insert(key).inserted else {
      throw JSONParseError(message: "duplicate key '\(key)'", offset: offset)
    }
  }

  private func checkCount(_ count: Int, at offset: Int, _ container: String) throws(JSONParseError) {
    guard count >= options.maxContainerCount else { return }
    throw JSONParseError(
      message: "\(container) with more than \(options.maxContainerCount) members",
      offset: offset,
      isLimit: true
    )
  }

  private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
    let start = index
    var isInteger = true
    if bytes[index] == UInt8(ascii: "-") {
      index += 1
      if options.allowsNonFiniteNumbers, index < bytes.count,
        bytes[index] == UInt8(ascii: "N") || bytes[index] == UInt8(ascii: "I")
      {
        return try parseNonFinite(negative: true)
      }
    }
    guard index < bytes.count, Self.isDigit(bytes[index]) else { throw error("invalid number") }
    if bytes[index] == UInt8(ascii: "0") {
      index += 1
      if index < bytes.count, Self.isDigit(bytes[index]) { throw error("numbers may not have leading zeros") }
    } else {
      while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      isInteger = false
      index += 1
      guard index < bytes.count, Self.isDigit(bytes[index]) else {
        throw error("invalid number: digit expected after '.'")
      }
      while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      isInteger = false
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
        index += 1
      }
      guard index < bytes.count, Self.isDigit(bytes[index]) else {
        throw error("invalid number: digit expected in exponent")
      }
      while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
    }
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    guard let value = Double(text) else { throw JSONParseError(message: "invalid number", offset: start) }
    guard value.isFinite else { throw JSONParseError(message: "number out of range", offset: start) }
    return .number(value, isInteger: isInteger)
  }

  private mutating func parseString() throws(JSONParseError) -> String {
    index += 1
    let start = index
    // Fast path: no escapes.
    while index < bytes.count {
      let byte = bytes[index]
      if byte == UInt8(ascii: "\"") {
        let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
        index += 1
        guard let text = String(validating: slice, as: UTF8.self) else {
          throw JSONParseError(message: "invalid UTF-8 in string", offset: start)
        }
        return text
      }
      if byte == UInt8(ascii: "\\") { break }
      if byte < 0x20 { throw error("control character in string") }
      index += 1
    }
    var scalars = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
    while index < bytes.count {
      let byte = bytes[index]
      switch byte {
      case UInt8(ascii: "\""):
        index += 1
        guard let text = String(validating: scalars, as: UTF8.self) else {
          throw JSONParseError(message: "invalid UTF-8 in string", offset: start)
        }
        return text
      case UInt8(ascii: "\\"):
        index += 1
        try appendEscape(to: &scalars)
      case 0..<0x20:
        throw error("control character in string")
      default:
        scalars.append(byte)
        index += 1
      }
    }
    throw error("unterminated string")
  }

  private mutating func appendEscape(to output: inout [UInt8]) throws(JSONParseError) {
    guard index < bytes.count else { throw error("unterminated escape") }
    let byte = bytes[index]
    index += 1
    switch byte {
    case UInt8(ascii: "\""): output.append(0x22)
    case UInt8(ascii: "\\"): output.append(0x5C)
    case UInt8(ascii: "/"): output.append(0x2F)
    case UInt8(ascii: "b"): output.append(0x08)
    case UInt8(ascii: "f"): output.append(0x0C)
    case UInt8(ascii: "n"): output.append(0x0A)
    case UInt8(ascii: "r"): output.append(0x0D)
    case UInt8(ascii: "t"): output.append(0x09)
    case UInt8(ascii: "u"):
      var code = try hex4()
      if (0xD800..<0xDC00).contains(code) {
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
          bytes[index + 1] == UInt8(ascii: "u")
        else {
          throw error("unpaired surrogate in \\u escape")
        }
        index += 2
        let low = try hex4()
        guard (0xDC00..<0xE000).contains(low) else { throw error("invalid low surrogate in \\u escape") }
        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
      } else if (0xDC00..<0xE000).contains(code) {
        throw error("unpaired surrogate in \\u escape")
      }
      guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
      output.append(contentsOf: Array(String(Character(scalar)).utf8))
    default:
      throw error("invalid escape '\\\(Self.printable(byte))'")
    }
  }

  private mutating func hex4() throws(JSONParseError) -> UInt32 {
    guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let byte = bytes[index]
      let digit: UInt32
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
      default: throw error("invalid hex digit in \\u escape")
      }
      value = value << 4 | digit
      index += 1
    }
    return value
  }

  private static func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }

  private static func printable(_ byte: UInt8) -> String {
    (0x21..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
  }
}
