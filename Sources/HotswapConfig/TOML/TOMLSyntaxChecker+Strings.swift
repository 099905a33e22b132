/// The four string forms and their escapes.
extension TOMLSyntaxChecker {
  // MARK: Strings

  mutating func basicString() throws(Failure) {
    index += 1
    while true {
      guard let byte = peek(), byte != ascii("\n"), byte != ascii("\r") else {
        throw fail("unterminated string: add the closing '\"' on the same line")
      }
      index += 1
      switch byte {
      case ascii("\""): return
      case ascii("\\"): try escape()
      default: try checkStringCharacter(byte)
      }
    }
  }

  mutating func multiLineBasicString() throws(Failure) {
    index += 3
    while true {
      guard let byte = peek() else { throw fail("unterminated multi-line string: add the closing '\"\"\"'") }
      if starts(with: ascii("\""), count: 3) {
        index += 3
        if peek() == ascii("\"") { index += 1 }
        if peek() == ascii("\"") { index += 1 }
        return
      }
      if byte == ascii("\\") {
        index += 1
        try lineEndingBackslashOrEscape()
      } else if byte == ascii("\n") || byte == ascii("\r") {
        try newline()
      } else {
        index += 1
        try checkStringCharacter(byte)
      }
    }
  }

  mutating func lineEndingBackslashOrEscape() throws(Failure) {
    var probe = index
    while probe < bytes.count, bytes[probe] == ascii(" ") || bytes[probe] == ascii("\t") { probe += 1 }
    if probe < bytes.count, bytes[probe] == ascii("\n") || bytes[probe] == ascii("\r") {
      index = probe
      return
    }
    try escape()
  }

  mutating func literalString() throws(Failure) {
    index += 1
    while true {
      guard let byte = peek(), byte != ascii("\n"), byte != ascii("\r") else {
        throw fail("unterminated string: add the closing \"'\" on the same line")
      }
      index += 1
      if byte == ascii("'") { return }
      try checkStringCharacter(byte)
    }
  }

  mutating func multiLineLiteralString() throws(Failure) {
    index += 3
    while true {
      guard let byte = peek() else { throw fail("unterminated multi-line string: add the closing \"'''\"") }
      if starts(with: ascii("'"), count: 3) {
        index += 3
        if peek() == ascii("'") { index += 1 }
        if peek() == ascii("'") { index += 1 }
        return
      }
      if byte == ascii("\n") || byte == ascii("\r") {
        try newline()
      } else {
        index += 1
        try checkStringCharacter(byte)
      }
    }
  }

  /// Checks the escape after a backslash (already consumed).
  mutating func escape() throws(Failure) {
    guard let byte = peek() else { throw fail("unterminated string") }
    index += 1
    switch byte {
    case ascii("b"), ascii("t"), ascii("n"), ascii("f"), ascii("r"), ascii("\""), ascii("\\"): return
    case ascii("u"), ascii("U"):
      let count = byte == ascii("u") ? 4 : 8
      var scalar: UInt32 = 0
      for _ in 0..<count {
        guard let digit = peek(), let value = Self.hexValue(digit) else {
          throw fail("\\\(Character(UnicodeScalar(byte))) must be followed by \(count) hexadecimal digits")
        }
        scalar = scalar &* 16 &+ value
        index += 1
      }
      guard UnicodeScalar(scalar) != nil else {
        throw fail("\\\(Character(UnicodeScalar(byte))) escape is not a Unicode scalar value")
      }
    default:
      throw fail("invalid escape \\\(describeRaw(byte)) in string; write \\\\ for a backslash")
    }
  }

  func checkStringCharacter(_ byte: UInt8) throws(Failure) {
    if (byte < 0x20 && byte != ascii("\t")) || byte == 0x7F {
      throw fail(
        "control character U+\(String(byte, radix: 16, uppercase: true).leftPadded(to: 4)) in a string; escape it"
      )
    }
  }
}
