import TOMLKit
import Testing

@testable import HotswapConfig

@Suite("TOMLSyntaxChecker: only well-formed TOML reaches toml++")
struct TOMLSyntaxCheckerTests {
  @Test(arguments: [
    "",
    "\u{FEFF}a = 1",
    "# only a comment\n\n",
    "a = 1\r\nb = 2\r\n",
    "[a]\n[[b]]\n[ c . \"d.e\" . 'f' ]\n[[ g ]]",
    "a.b . c = 'x'",
    "\"quoted key\" = \"v\\t\\u00e9\\U0001F600\\\\\"",
    "s = '''\nline\n'''\nt = \"\"\"\na \\\n   b\"\"\"\"\"",
    "x = [\n  1, # one\n  [2, 3],\n  { a = 1, b = { c = \"d\" } },\n]",
    "e = []\nf = {}\ng = [ ]",
    "n = [+1, -0, 0x1F, 0o17, 0b101, 1_000, 3.14, -2e-3, 5E+22, 1_0.0_1, inf, -nan, true, false]",
    "d = [1979-05-27, 07:32:00, 07:32:00.999, 1979-05-27T07:32:00Z, 1979-05-27 07:32:00.5-07:00, 1979-05-27t00:00:00]",
  ])
  func acceptsValidTOML(_ text: String) {
    #expect(TOMLSyntaxChecker.firstError(in: text) == nil)
    // The checker must not be stricter than TOML itself: toml++ accepts every one of these.
    #expect(throws: Never.self) { _ = try TOMLTable(string: text) }
  }

  @Test(arguments: [
    ("[.erver]", 1, "expected a key (letters, digits, '_', '-' or a quoted name), saw '.'"),
    ("[a]]\n", 1, "unexpected ']' after the table header; put each key = value on its own line"),
    ("[[a]\n", 1, "expected ']]' to close the array-of-tables header"),
    ("[a\n", 1, "expected ']' to close the table header, saw the end of the line"),
    ("[\n", 1, "expected a key (letters, digits, '_', '-' or a quoted name), saw the end of the line"),
    ("a = 1\nsteps = [\n 5,\n }[25v,\n]", 4, "expected a value, saw '}'"),
    ("a = [1 2]", 1, "expected ',' or ']' in the array, saw '2'"),
    ("a = [,]", 1, "expected a value, saw ','"),
    ("a = { b = 1, }", 1, "expected a key (letters, digits, '_', '-' or a quoted name), saw '}'"),
    (
      "a = { b = 1\n}", 1,
      "expected ',' or '}' in the inline table (which must fit on one line), saw the end of the line"
    ),
    ("a =\n", 1, "expected a value, saw the end of the line"),
    ("a = ", 1, "expected a value, saw the end of the file"),
    ("a 1", 1, "expected '=' after the key, saw '1'"),
    ("a = 1 b = 2", 1, "unexpected 'b' after the value; put each key = value on its own line"),
    ("a = blue", 1, "'blue' is not a valid value; strings need quotes"),
    ("a = 01", 1, "'01' is not a valid value; strings need quotes"),
    ("a = 1__0", 1, "'1__0' is not a valid value; strings need quotes"),
    ("a = 1.", 1, "'1.' is not a valid value; strings need quotes"),
    ("a = +0x1", 1, "'+0x1' is not a valid value; strings need quotes"),
    ("a = 1979-05-27T07:32", 1, "'1979-05-27T07:32' is not a valid value; strings need quotes"),
    ("a = \"x", 1, "unterminated string: add the closing '\"' on the same line"),
    ("\n\na = 'x\ny'", 3, "unterminated string: add the closing \"'\" on the same line"),
    ("a = \"\"\"\nx\n", 3, "unterminated multi-line string: add the closing '\"\"\"'"),
    ("a = \"\\q\"", 1, "invalid escape \\q in string; write \\\\ for a backslash"),
    ("a = \"\\u12\"", 1, "\\u must be followed by 4 hexadecimal digits"),
    ("a = \"\\uD800\"", 1, "\\u escape is not a Unicode scalar value"),
    ("a = \"\u{1}\"", 1, "control character U+0001 in a string; escape it"),
    ("# a\u{7F}", 1, "control character in a comment"),
    ("a = 1\rb = 2", 1, "a carriage return must be followed by a line feed"),
    ("\"\"\"k\"\"\" = 1", 1, "a key cannot be a multi-line string"),
    ("a = é", 1, "expected a value, saw 'é'"),
    (
      "a = " + String(repeating: "[", count: 70), 1,
      "tables, dotted keys, arrays and inline tables nest more than 32 levels deep here; the limit is 32"
    ),
  ])
  func rejectsMalformedTOML(_ text: String, _ line: Int, _ message: String) {
    #expect(TOMLSyntaxChecker.firstError(in: text) == .init(line: line, message: message))
  }
}
