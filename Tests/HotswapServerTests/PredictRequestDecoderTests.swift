import HotswapCore
import HotswapJSON
import Testing

@testable import HotswapServer

@Suite struct PredictRequestDecoderTests {
  let decoder = PredictRequestDecoder(featureNames: ["a", "b"], maxRows: 3)

  func decode(_ text: String) throws -> PredictRequestBody {
    try decoder.decode(JSONParser.parse(Array(text.utf8)))
  }

  @Test func acceptsEveryBodyShape() throws {
    #expect(try decode(#"{"features":[1,2]}"#).rows == [[.number(1), .number(2)]])
    #expect(try decode(#"{"x":[1,null]}"#).rows == [[.number(1), .missing]])
    #expect(try decode(#"{"b":2,"a":1}"#).rows == [[.number(1), .number(2)]])
    let batch = try decode(#"{"instances":[[1,2],{"a":3,"b":"c"}]}"#)
    #expect(batch.rows == [[.number(1), .number(2)], [.number(3), .string("c")]])
  }

  @Test(arguments: [
    (#"[1,2]"#, "must be a JSON object"),
    (#"{"features":{"a":1}}"#, "must be an array"),
    (#"{"a":1}"#, "missing feature 'b'"),
    (#"{"a":1,"b":2,"c":3}"#, "unknown feature 'c'"),
    (#"{"features":[1,2],"x":[1,2]}"#, "must be the only key"),
    (#"{"instances":[]}"#, "'instances' is empty"),
    (#"{"instances":[[1,2],[1,2],[1,2],[1,2]]}"#, "the limit is 3"),
    (#"{"features":[1,[2]]}"#, "must be a number, a string or null"),
  ])
  func rejectsWithAMessageNamingTheProblem(_ text: String, _ message: String) {
    #expect {
      try decode(text)
    } throws: { error in
      (error as? HTTPError)?.message.contains(message) == true
    }
  }
}
