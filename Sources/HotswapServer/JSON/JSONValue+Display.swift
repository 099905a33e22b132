/// How `hotswap status` shows a parsed `/status` document: the text and the pretty JSON the
/// command printed when it parsed the document with Foundation's `JSONSerialization`.
extension JSONValue {
  /// The value as string interpolation printed the `JSONSerialization` object: strings as they are,
  /// integers as integers, other numbers in Swift's shortest form (`0.25`, `1e-07`) or, with 17
  /// digits, written out in full (see ``foundationNumberText(_:)``), booleans as `1`/`0`, null as
  /// `<null>`, arrays and objects like Swift collections (object keys in document order).
  public var displayText: String {
    switch self {
    case .string(let text): return text
    case .array(let elements): return "[" + elements.map(\.nestedDisplayText).joined(separator: ", ") + "]"
    case .object(let object):
      guard !object.members.isEmpty else { return "[:]" }
      return "["
        + object.members.map { "\($0.key.debugDescription): \($0.value.nestedDisplayText)" }
        .joined(separator: ", ") + "]"
    default: return nestedDisplayText
    }
  }

  private var nestedDisplayText: String {
    switch self {
    case .null: return "<null>"
    case .bool(let flag): return flag ? "1" : "0"
    case .number(let value, let isInteger):
      if isInteger, let exact = Int64(exactly: value) { return String(exact) }
      return Self.foundationNumberText(value) ?? value.description
    case .string(let text): return text.debugDescription
    case .array, .object: return displayText
    }
  }

  /// The number, and 1 or 0 for a boolean: what `value as? Double` gave for a `JSONSerialization`
  /// number.
  public var doubleValue: Double? {
    switch self {
    case .number(let value, _): return value
    case .bool(let flag): return flag ? 1 : 0
    default: return nil
    }
  }

  /// The elements when this is an array of objects only (as `as? [[String: Any]]` was).
  public var objectElements: [JSONObject]? {
    guard case .array(let elements) = self else { return nil }
    let objects = elements.compactMap(\.object)
    return objects.count == elements.count ? objects : nil
  }

  /// The elements when this is an array of strings only (as `as? [String]` was).
  public var stringElements: [String]? {
    guard case .array(let elements) = self else { return nil }
    let strings = elements.compactMap(\.string)
    return strings.count == elements.count ? strings : nil
  }

  /// The value laid out as `JSONSerialization` wrote it with `.prettyPrinted` and `.sortedKeys`:
  /// two-space indent, `"key" : value`, empty containers over two lines, `/` escaped as `\/`,
  /// keys in Foundation's order (see ``JSONValue/keyPrecedes(_:_:)``).
  public func prettyPrinted() -> String {
    var output = ""
    write(into: &output, indent: 0)
    return output
  }

  private func write(into output: inout String, indent: Int) {
    switch self {
    case .null: output += "null"
    case .bool(let flag): output += flag ? "true" : "false"
    case .number(let value, let isInteger):
      if isInteger, let exact = Int64(exactly: value) {
        output += String(exact)
      } else if let decimal = Self.foundationNumberText(value) {
        output += decimal
      } else {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        output += text
      }
    case .string(let text): Self.writeQuoted(text, into: &output)
    case .array(let elements):
      output += "[\n"
      for (index, element) in elements.enumerated() {
        if index > 0 { output += ",\n" }
        output += String(repeating: " ", count: indent + 2)
        element.write(into: &output, indent: indent + 2)
      }
      output += "\n" + String(repeating: " ", count: indent) + "]"
    case .object(let object):
      output += "{\n"
      let members = object.members.sorted { Self.keyPrecedes($0.key, $1.key) }
      for (index, member) in members.enumerated() {
        if index > 0 { output += ",\n" }
        output += String(repeating: " ", count: indent + 2)
        Self.writeQuoted(member.key, into: &output)
        output += " : "
        member.value.write(into: &output, indent: indent + 2)
      }
      output += "\n" + String(repeating: " ", count: indent) + "}"
    }
  }

  private static func writeQuoted(_ text: String, into output: inout String) {
    output += "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": output += "\\\""
      case "\\": output += "\\\\"
      case "/": output += "\\/"
      case "\u{8}": output += "\\b"
      case "\u{C}": output += "\\f"
      case "\n": output += "\\n"
      case "\r": output += "\\r"
      case "\t": output += "\\t"
      case "\u{0}"..."\u{F}": output += "\\u000" + String(scalar.value, radix: 16)
      case "\u{10}"..."\u{1F}": output += "\\u00" + String(scalar.value, radix: 16)
      default: output.unicodeScalars.append(scalar)
      }
    }
    output += "\""
  }

  /// `JSONSerialization` read a number whose mantissa had 17 or more characters besides the point
  /// (digits, and the minus sign: it counted it) and whose exponent was within ±128 into a
  /// `Decimal`, which prints in full without an exponent (`3.3333333333333335e-05` became
  /// `0.000033333333333333335`); this is that text, or nil for numbers it read as `Double`. The
  /// digits are those of `value`'s shortest form, the form the server writes.
  static func foundationNumberText(_ value: Double) -> String? {
    let text = value.description
    var mantissa = Substring(text)
    var exponent = 0
    if let marker = text.firstIndex(of: "e") {
      mantissa = text[..<marker]
      exponent = Int(text[text.index(after: marker)...]) ?? 0
    }
    let negative = mantissa.hasPrefix("-")
    if negative { mantissa = mantissa.dropFirst() }
    let digits = Array(mantissa.filter { $0 != "." })
    guard digits.count + (negative ? 1 : 0) >= 17, (-128...127).contains(exponent) else { return nil }
    let point =
      (mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) }
        ?? mantissa.count) + exponent
    var integer: [Character]
    var fraction: [Character]
    if point <= 0 {
      integer = ["0"]
      fraction = Array(repeating: "0", count: -point) + digits
    } else if point >= digits.count {
      integer = digits + Array(repeating: "0", count: point - digits.count)
      fraction = []
    } else {
      integer = Array(digits[..<point])
      fraction = Array(digits[point...])
    }
    while integer.count > 1, integer.first == "0" { integer.removeFirst() }
    while fraction.last == "0" { fraction.removeLast() }
    let plain = String(integer) + (fraction.isEmpty ? "" : "." + String(fraction))
    return negative && plain != "0" ? "-" + plain : plain
  }

  /// Whether object key `lhs` sorts before `rhs` as `JSONSerialization`'s `.sortedKeys` sorted
  /// them (numeric, case-insensitive, forced ordering): runs of digits compare as numbers,
  /// punctuation before digits before letters, a prefix before longer keys, then lowercase before
  /// uppercase. Exact for ASCII keys; other characters compare by code point.
  public static func keyPrecedes(_ lhs: String, _ rhs: String) -> Bool {
    let left = Array(lhs.unicodeScalars)
    let right = Array(rhs.unicodeScalars)
    var i = 0
    var j = 0
    while i < left.count, j < right.count {
      if isDigit(left[i]), isDigit(right[j]) {
        let leftRun = digitRun(left, from: &i)
        let rightRun = digitRun(right, from: &j)
        if leftRun.count != rightRun.count { return leftRun.count < rightRun.count }
        if leftRun != rightRun { return leftRun.lexicographicallyPrecedes(rightRun) }
        continue
      }
      let (leftWeight, rightWeight) = (weight(left[i]), weight(right[j]))
      if leftWeight != rightWeight { return leftWeight < rightWeight }
      i += 1
      j += 1
    }
    if left.count - i != right.count - j { return left.count - i < right.count - j }
    for (a, b) in zip(left, right) where a != b && weight(a) == weight(b) {
      return a.properties.isLowercase
    }
    if left.count != right.count { return left.count < right.count }
    return lhs.unicodeScalars.lexicographicallyPrecedes(rhs.unicodeScalars)
  }

  /// ASCII punctuation in the order of the root collation.
  private static let punctuationOrder = Array(" _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$".unicodeScalars)

  private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
    ("0"..."9").contains(scalar)
  }

  /// The digits from `index` on, without leading zeros; moves `index` past them.
  private static func digitRun(_ scalars: [Unicode.Scalar], from index: inout Int) -> [Unicode.Scalar] {
    let start = index
    while index < scalars.count, isDigit(scalars[index]) { index += 1 }
    return Array(scalars[start..<index].drop { $0 == "0" })
  }

  /// Primary weight: (class, rank) with punctuation < digits < letters (case folded) < the rest.
  private static func weight(_ scalar: Unicode.Scalar) -> (Int, UInt32) {
    if let rank = punctuationOrder.firstIndex(of: scalar) { return (0, UInt32(rank)) }
    if isDigit(scalar) { return (1, scalar.value) }
    if ("a"..."z").contains(scalar) { return (2, scalar.value) }
    if ("A"..."Z").contains(scalar) { return (2, scalar.value + 32) }
    return (3, scalar.value)
  }
}
