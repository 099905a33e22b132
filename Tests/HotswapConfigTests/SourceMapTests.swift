import Testing

@testable import HotswapConfig

@Suite("SourceMap line scanner")
struct SourceMapTests {
  private static let text = """
    # comment with [brackets] and key = value
    title = "a # not a comment"   # comment
    multi = \"\"\"
    [not.a.table]
    x = 1
    \"\"\"
    array = [
      "]",  # ] in a comment
      2,
    ]
    [server]
    "quoted.key" = 'lit # eral'
    a . b = { c = 1 }
    [[items]]
    name = "x"
    [slots.blue]
    model = "m"
    """

  @Test(arguments: [
    (["title"], 2),
    (["multi"], 3),
    (["array"], 7),
    (["server"], 11),
    (["server", "quoted.key"], 12),
    (["server", "a"], 13),
    (["server", "a", "b"], 13),
    (["server", "a", "b", "c"], 13),
    (["items", "name"], 15),
    (["slots"], 16),
    (["slots", "blue", "model"], 17),
  ])
  func findsLines(_ path: [String], _ line: Int) {
    #expect(SourceMap(Self.text).line(of: path) == line)
  }

  @Test func skipsMultiLineValues() {
    let map = SourceMap(Self.text)
    #expect(map.line(of: ["not"]) == nil)
    #expect(map.line(of: ["x"]) == nil)
    #expect(map.entries.first { $0.key == ["multi"] }?.lastLine == 6)
    #expect(map.entries.first { $0.key == ["array"] }?.lastLine == 10)
  }

  @Test func recordsValueColumnsWithoutComments() throws {
    let map = SourceMap(Self.text)
    let title = try #require(map.entries.first { $0.key == ["title"] })
    let line = map.lines[title.line - 1]
    let columns = try #require(title.valueColumns)
    #expect(String(decoding: line[columns], as: UTF8.self) == "\"a # not a comment\"")
    #expect(map.entries.first { $0.key == ["multi"] }?.valueColumns == nil)
  }
}
