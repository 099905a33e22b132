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

  @Test(arguments: [
    ("[NaN]", Double.nan),
    ("[-NaN]", Double.nan),
    ("[Infinity]", Double.infinity),
    ("[-Infinity]", -Double.infinity),
    ("[Inf]", Double.infinity),
    ("[-Inf]", -Double.infinity),
  ])
  func nonFiniteLiteralsParseWhereAllowed(_ text: String, _ expected: Double) throws {
    let value = try JSONParser.parse(Array(text.utf8), options: .init(allowsNonFiniteNumbers: true))
    let number = try #require(value.array?.first?.number)
    #expect(number.isNaN == expected.isNaN)
    if !expected.isNaN { #expect(number == expected) }
  }

  @Test(arguments: ["[Nan]", "[Infinit]", "[-Infinty]", "[NaNa]", "[- Inf]", "[1e999]"])
  func malformedNonFiniteLiteralsAreStillErrors(_ text: String) {
    #expect(throws: JSONParseError.self) {
      try JSONParser.parse(Array(text.utf8), options: .init(allowsNonFiniteNumbers: true))
    }
  }

  @Test func duplicateKeysAreFoundInLargeObjects() throws {
    let keys = (0..<50).map { "\"k\($0)\":\($0)" }
    let unique = "{" + keys.joined(separator: ",") + "}"
    #expect(try JSONParser.parse(Array(unique.utf8)).object?.members.count == 50)
    for duplicate in [0, 11, 12, 49] {
      let text = "{" + keys.joined(separator: ",") + ",\"k\(duplicate)\":0}"
      #expect {
        try JSONParser.parse(Array(text.utf8))
      } throws: { error in
        "\(error)".contains("duplicate key 'k\(duplicate)'")
      }
    }
  }

  @Test func containerLimitStopsTheParseAtTheFirstMemberOverIt() {
    let options = JSONParser.Options(maxContainerCount: 3)
    #expect(throws: Never.self) {
      try JSONParser.parse(Array(#"[[1,2,3],{"a":1,"b":2,"c":3}]"#.utf8), options: options)
    }
    for text in ["[1,2,3,4]", #"{"a":1,"b":2,"c":3,"d":4}"#, "[[1],[2],[3],[4,5]]", "[[1,2,3,4]]"] {
      #expect {
        try JSONParser.parse(Array(text.utf8), options: options)
      } throws: { error in
        (error as? JSONParseError)?.isLimit == true && "\(error)".contains("more than 3 members")
      }
    }
  }

  @Test func integralNumbersPrintAsIntegersWhileTheTypeHoldsThemExactly() {
    var writer = JSONWriter()
    writer.beginArray()
    writer.number(999_999_999_999_999.0)
    writer.number(1e15)
    writer.number(-3.0)
    writer.number(9_999_999 as Float)
    writer.number(1e7 as Float)
    writer.number(0.1 as Float)
    writer.tensorNumber(-Float.infinity)
    writer.tensorNumber(2.5)
    writer.endArray()
    #expect(
      String(decoding: writer.bytes, as: UTF8.self)
        == "[999999999999999,1000000000000000.0,-3,9999999,10000000.0,0.1,-Infinity,2.5]"
    )
  }

  @Test func absentValuesAreWrittenNull() {
    var writer = JSONWriter()
    writer.beginArray()
    writer.string(orNull: "a")
    writer.string(orNull: nil)
    writer.number(orNull: 0.5)
    writer.number(orNull: .infinity)
    writer.number(orNull: nil)
    writer.integer(orNull: -3)
    writer.integer(orNull: nil)
    writer.endArray()
    #expect(String(decoding: writer.bytes, as: UTF8.self) == #"["a",null,0.5,null,null,-3,null]"#)
  }

  @Test func tensorNumbersWriteTritonsNonFiniteLiterals() {
    var writer = JSONWriter()
    writer.beginArray()
    writer.tensorNumber(Float.nan)
    writer.tensorNumber(Float.infinity)
    writer.tensorNumber(-Double.infinity)
    writer.tensorNumber(0.5 as Float)
    writer.number(Double.nan)
    writer.endArray()
    #expect(String(decoding: writer.bytes, as: UTF8.self) == "[NaN,Infinity,-Infinity,0.5,null]")
  }
}
