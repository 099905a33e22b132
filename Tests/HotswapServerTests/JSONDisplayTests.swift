import Foundation
import Testing

@testable import HotswapServer

/// `hotswap status` once read `/status` with `JSONSerialization`; its text and `--json` output
/// must stay what they were, so each helper is checked against `JSONSerialization` itself.
@Suite("JSONValue display: the text and pretty JSON JSONSerialization gave")
struct JSONDisplayTests {
  static let statusDocument = #"""
    {"generated_at":"2025-03-04T05:06:07.089Z","server":{"version":"0.1.0","model_name":"iris",\#
    "listen":"127.0.0.1:8080","started_at":"2025-03-04T05:00:00.000Z","uptime_seconds":367.0891234567891},\#
    "config_path":"/etc/hotswap/active.toml","generation":3,"sticky_header":null,"slots":[{"name":"blue",\#
    "version":"v1.0.0","model":"../models/iris/v1.0.0/model.onnx","model_path":"/srv/models/iris/v1.0.0/model.onnx",\#
    "sha256":"ff5592519857aa","size_bytes":1234,"loaded_at":"2025-03-04T05:00:00.010Z","load_ms":2.25,"weight":90,\#
    "share":0.30000000000000004,"features":["a","b"],"stats":{"window_seconds":10,"requests":120,"requests_per_second":12,\#
    "errors":0,"client_errors":1,"error_rate":3.3333333333333335e-05,"p99_ms":1.5e-05}},{"name":"green","version":"v1.1.0",\#
    "model":"x","model_path":"/x","sha256":"91b6","size_bytes":9,"loaded_at":"t","load_ms":10,"weight":10,\#
    "share":0.1,"features":[],"stats":null}],"last_change":{"time":"t","generation":3,"summary":"blue 90%",\#
    "config_sha256":"abc"},"last_error":null,"restart_required":null,"metrics_enabled":true,"guard":{\#
    "max_error_rate":0.05,"max_p99_ms":null,"min_requests":20,"window_seconds":30,"observing":true,\#
    "state":"holding","stable":"blue","canaries":["green"],"trips":[],"trips_since_start":0},"rollout":null,\#
    "reloads":{"applied":3,"rejected":1},"escapes":"a\"b\\c\/d\n\t\u0001\u001f é 😀 \u2028"}
    """#

  @Test("pretty printing matches JSONSerialization with .prettyPrinted and .sortedKeys")
  func prettyPrintedStatus() throws {
    #expect(try Self.pretty(Self.statusDocument) == Self.foundationPretty(Self.statusDocument))
  }

  @Test("pretty printing matches JSONSerialization for generated documents")
  func prettyPrintedGenerated() throws {
    var generator = Generator(seed: 5)
    for _ in 0..<2000 {
      let document = "{\"k\":\(generator.value(depth: 0)),\"x_1\":\(generator.value(depth: 0))}"
      #expect(try Self.pretty(document) == Self.foundationPretty(document), "\(document)")
    }
  }

  @Test("keys sort as JSONSerialization's .sortedKeys sorted them")
  func keyOrder() throws {
    var generator = Generator(seed: 9)
    for alphabet in ["abz_019", "abAB_0129-. ", "aAbB01_-.:/ "] {
      let characters = Array(alphabet)
      for _ in 0..<500 {
        let keys = Set(
          (0..<6).map { _ in
            String((0..<(1 + generator.next(6))).map { _ in characters[generator.next(characters.count)] })
          }
        )
        let object = Dictionary(uniqueKeysWithValues: keys.map { ($0, 1) })
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let foundationOrder = try JSONParser.parse(Array(data)).object?.keys
        #expect(keys.sorted(by: JSONValue.keyPrecedes) == foundationOrder, "\(keys)")
      }
    }
  }

  @Test(
    "scalars read as string interpolation and `as? Double` read JSONSerialization values",
    arguments: [
      "1", "0", "-3", "1.5", "0.1", "1e-07", "2.5e-05", "1e+20", "100.0", "true", "false", "null",
      "\"text/with \\\"quotes\\\"\"", "3725410405054511", "12.345678901234567", "3.3333333333333335e-05",
      "-1.3871051800000002e+17", "1234567890123456.5", "9.950314700000001e-05", "-9.950314700000001e-05",
    ]
  )
  func scalars(text: String) throws {
    let document = "{\"v\":\(text)}"
    let foundation = try #require(JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])[
      "v"
    ]!
    let value = try #require(JSONParser.parse(Array(document.utf8)).object?["v"])
    #expect(value.displayText == "\(foundation)")
    // 17-digit numbers were Decimals, whose `as? Double` lost a digit; the exact value is kept now.
    if !(foundation is NSDecimalNumber) {
      #expect(value.doubleValue == foundation as? Double)
    }
  }

  @Test("arrays cast as a whole, as `as? [String]` and `as? [[String: Any]]` did")
  func arrays() throws {
    let value = try JSONParser.parse(Array(#"{"s":["a","b"],"m":["a",1],"o":[{},{"x":1}],"n":[{},2]}"#.utf8))
    #expect(value.object?["s"]?.stringElements == ["a", "b"])
    #expect(value.object?["m"]?.stringElements == nil)
    #expect(value.object?["o"]?.objectElements?.count == 2)
    #expect(value.object?["n"]?.objectElements == nil)
  }

  private static func pretty(_ document: String) throws -> String {
    try JSONParser.parse(Array(document.utf8)).prettyPrinted()
  }

  private static func foundationPretty(_ document: String) throws -> String {
    let object = try JSONSerialization.jsonObject(with: Data(document.utf8))
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    return String(decoding: data, as: UTF8.self)
  }

  /// Random JSON as the server writes it (numbers in `JSONWriter`'s form), deterministic per seed.
  struct Generator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(bound))
    }

    mutating func value(depth: Int) -> String {
      switch next(depth > 2 ? 5 : 7) {
      case 0: return "null"
      case 1: return next(2) == 0 ? "true" : "false"
      case 2:
        var writer = JSONWriter()
        let mantissa = Double(next(2_000_000_000)) - 1e9
        writer.number(mantissa / 1000 * [1, 1e-9, 1e-3, 1e6, 1e12][next(5)])
        return String(decoding: writer.bytes, as: UTF8.self)
      case 3: return String(next(2_000_000) - 1_000_000)
      case 4:
        let pieces = ["a", "/", "\\", "\"", "\n", "\t", "\u{1}", "\u{1f}", "é", "😀", " ", "\u{7f}", "\r"]
        var writer = JSONWriter()
        writer.string((0..<next(6)).map { _ in pieces[next(pieces.count)] }.joined())
        return String(decoding: writer.bytes, as: UTF8.self)
      case 5: return "[" + (0..<next(4)).map { _ in value(depth: depth + 1) }.joined(separator: ",") + "]"
      default:
        var keys = Set<String>()
        for _ in 0..<next(5) {
          keys.insert(String((0..<(1 + next(7))).map { _ in Array("abz_019")[next(7)] }))
        }
        return "{" + keys.sorted().map { "\"\($0)\":" + value(depth: depth + 1) }.joined(separator: ",") + "}"
      }
    }
  }
}
