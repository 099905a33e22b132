import HotswapJSON
import Testing

@testable import HotswapServer

@Suite struct JSONParserTests {
  @Test(arguments: [
    (#"{"a":1}"#, JSONValue.object(JSONObject([("a", .number(1, isInteger: true))]))),
    (
      #"[1.5,-2e3,0]"#,
      .array([.number(1.5, isInteger: false), .number(-2000, isInteger: false), .number(0, isInteger: true)])
    ),
    (#" "x\u00e9\n\"" "#, .string("xé\n\"")),
    (#""\ud83d\ude00""#, .string("😀")),
    (#"[true,false,null]"#, .array([.bool(true), .bool(false), .null])),
    (#"{}"#, .object(JSONObject())),
  ])
  func parsesValidDocuments(_ text: String, _ expected: JSONValue) throws {
    #expect(try JSONParser.parse(Array(text.utf8)) == expected)
  }

  @Test(arguments: [
    ("", "empty body"),
    ("{", "unexpected end"),
    (#"{"a":1,}"#, "expected a string key"),
    ("[1,]", "unexpected character"),
    ("[NaN]", "NaN and Infinity are not JSON"),
    ("[Infinity]", "NaN and Infinity are not JSON"),
    ("[01]", "leading zeros"),
    (#"{"a":1,"a":2}"#, "duplicate key 'a'"),
    ("[1] [2]", "unexpected data after"),
    (#""\ud800""#, "unpaired surrogate"),
    ("[1e999]", "out of range"),
    (String(repeating: "[", count: 100) + String(repeating: "]", count: 100), "nested deeper"),
    ("\"\u{01}\"", "control character"),
  ])
  func rejectsInvalidDocumentsWithAReason(_ text: String, _ reason: String) {
    #expect {
      try JSONParser.parse(Array(text.utf8))
    } throws: { error in
      "\(error)".contains(reason)
    }
  }

  @Test func writerEscapesAndRoundTrips() throws {
    var writer = JSONWriter()
    writer.beginObject()
    writer.key("text")
    writer.string("quote \" backslash \\ newline \n tab \t bell \u{07}")
    writer.key("numbers")
    writer.beginArray()
    writer.number(0.1 as Float)
    writer.number(2.0)
    writer.number(Double.nan)
    writer.integer(-7)
    writer.endArray()
    writer.endObject()
    let text = String(decoding: writer.bytes, as: UTF8.self)
    #expect(
      text == #"{"text":"quote \" backslash \\ newline \n tab \t bell \u0007","numbers":[0.1,2,null,-7]}"#
    )
    let parsed = try JSONParser.parse(writer.bytes)
    #expect(parsed.object?["text"]?.string == "quote \" backslash \\ newline \n tab \t bell \u{07}")
  }
}
