/// The TOML 1.0 grammars of unquoted values: booleans, integers, floats, dates and times.
enum ScalarGrammar {
  /// Whether `token` is a boolean, number, date, time or date-time as TOML 1.0 writes them.
  static func isValid(_ token: ArraySlice<UInt8>) -> Bool {
    let text = Array(token)
    if text == Array("true".utf8) || text == Array("false".utf8) { return true }
    var cursor = Cursor(bytes: text)
    return cursor.matchesWhole { $0.specialFloat() } || cursor.matchesWhole { $0.prefixedInteger() }
      || cursor.matchesWhole { $0.decimal() } || cursor.matchesWhole { $0.dateTime() }
      || cursor.matchesWhole { $0.time() }
  }

  /// Whether `token` is a full date, `YYYY-MM-DD`.
  static func isDate(_ token: ArraySlice<UInt8>) -> Bool {
    var cursor = Cursor(bytes: Array(token))
    return cursor.matchesWhole { $0.date() }
  }

  private struct Cursor {
    let bytes: [UInt8]
    var index = 0

    mutating func matchesWhole(_ rule: (inout Cursor) -> Bool) -> Bool {
      index = 0
      return rule(&self) && index == bytes.count
    }

    private var next: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func take(_ byte: UInt8) -> Bool {
      guard next == byte else { return false }
      index += 1
      return true
    }

    private mutating func take(where predicate: (UInt8) -> Bool) -> Bool {
      guard let byte = next, predicate(byte) else { return false }
      index += 1
      return true
    }

    private mutating func takeSign() {
      _ = take(ascii("+")) || take(ascii("-"))
    }

    /// Digits with single underscores between them: `1_000`.
    private mutating func digits(_ isDigit: (UInt8) -> Bool) -> Bool {
      guard take(where: isDigit) else { return false }
      while true {
        if take(where: isDigit) { continue }
        if next == ascii("_") {
          index += 1
          guard take(where: isDigit) else { return false }
          continue
        }
        return true
      }
    }

    private mutating func fixedDigits(_ count: Int) -> Bool {
      (0..<count).allSatisfy { _ in take(where: TOMLSyntaxChecker.isDigit) }
    }

    mutating func specialFloat() -> Bool {
      takeSign()
      let rest = Array(bytes[index...])
      guard rest == Array("inf".utf8) || rest == Array("nan".utf8) else { return false }
      index = bytes.count
      return true
    }

    mutating func prefixedInteger() -> Bool {
      guard take(ascii("0")), let kind = next else { return false }
      index += 1
      switch kind {
      case ascii("x"):
        return digits { TOMLSyntaxChecker.isDigit($0) || (ascii("a")...ascii("f")).contains($0 | 0x20) }
      case ascii("o"): return digits { (ascii("0")...ascii("7")).contains($0) }
      case ascii("b"): return digits { $0 == ascii("0") || $0 == ascii("1") }
      default: return false
      }
    }

    /// A decimal integer or float: `-17`, `3.14`, `5e+22`, `1_000.5E-3`.
    mutating func decimal() -> Bool {
      takeSign()
      if take(ascii("0")) {
        guard next.map(TOMLSyntaxChecker.isDigit) != true, next != ascii("_") else { return false }
      } else if !digits(TOMLSyntaxChecker.isDigit) {
        return false
      }
      if take(ascii(".")), !digits(TOMLSyntaxChecker.isDigit) { return false }
      if take(ascii("e")) || take(ascii("E")) {
        takeSign()
        return digits(TOMLSyntaxChecker.isDigit)
      }
      return true
    }

    mutating func date() -> Bool {
      fixedDigits(4) && take(ascii("-")) && fixedDigits(2) && take(ascii("-")) && fixedDigits(2)
    }

    mutating func time() -> Bool {
      guard fixedDigits(2), take(ascii(":")), fixedDigits(2), take(ascii(":")), fixedDigits(2) else {
        return false
      }
      if take(ascii(".")) {
        return digits(TOMLSyntaxChecker.isDigit) && !bytes[..<index].contains(ascii("_"))
      }
      return true
    }

    /// A date, optionally with a time (after `T`, `t` or one space) and an offset.
    mutating func dateTime() -> Bool {
      guard date() else { return false }
      guard next != nil else { return true }
      guard take(ascii("T")) || take(ascii("t")) || take(ascii(" ")), time() else { return false }
      if take(ascii("Z")) || take(ascii("z")) || next == nil { return true }
      guard take(ascii("+")) || take(ascii("-")) else { return false }
      return fixedDigits(2) && take(ascii(":")) && fixedDigits(2)
    }
  }
}
