import Testing

@testable import HotswapConfig

/// Pathological files are refused fast with a message naming the limit (the hostile-file issue's
/// rows 12 and 13); files within the limits still parse.
@Suite("PlanParser: size, key and nesting limits")
struct ConfigLimitsTests {
  private static let file = Fixtures.file

  private static func errors(_ text: String) -> [String] {
    guard case .failure(let errors) = PlanParser.parse(text, file: file) else { return [] }
    return errors.errors.map(\.description)
  }

  /// Parses and returns the errors with the time it took.
  private static func timed(_ text: String) -> ([String], Duration) {
    let start = ContinuousClock.now
    let result = errors(text)
    return (result, ContinuousClock.now - start)
  }

  struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let text: @Sendable () -> String
    let error: String
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "a dotted key 50 000 levels deep",
      text: { "x" + String(repeating: ".x", count: 49_999) + " = 1\n" },
      error:
        "\(file):1: TOML syntax error: tables, dotted keys, arrays and inline tables nest more than 32 levels deep here; the limit is 32"
    ),
    Case(
      name: "a table header 10 000 levels deep",
      text: { "[" + Array(repeating: "t", count: 10_000).joined(separator: ".") + "]\n" },
      error:
        "\(file):1: TOML syntax error: tables, dotted keys, arrays and inline tables nest more than 32 levels deep here; the limit is 32"
    ),
    Case(
      name: "a deep header plus a deep dotted key below it",
      text: {
        "[" + Array(repeating: "a", count: 20).joined(separator: ".") + "]\n"
          + Array(repeating: "b", count: 20).joined(separator: ".") + " = 1\n"
      },
      error:
        "\(file):2: TOML syntax error: tables, dotted keys, arrays and inline tables nest more than 32 levels deep here; the limit is 32"
    ),
    Case(
      name: "inline tables nested in dotted keys",
      text: {
        "a = " + String(repeating: "{ b.c.d = ", count: 12) + "1" + String(repeating: " }", count: 12) + "\n"
      },
      error:
        "\(file):1: TOML syntax error: tables, dotted keys, arrays and inline tables nest more than 32 levels deep here; the limit is 32"
    ),
    Case(
      name: "20 000 keys",
      text: { (0..<20_000).map { "k\($0)=1\n" }.joined() },
      error:
        "\(file):10001: TOML syntax error: the file has more than 10000 keys and table headers; the limit is 10000"
    ),
    Case(
      name: "a 100 MB file",
      text: { "# " + String(repeating: "x", count: 100 << 20) + "\n" },
      error: "\(file): the file is 104857603 bytes; the limit for a config file is 1048576 (1 MiB)"
    ),
  ]

  @Test(arguments: cases)
  func refusedFastNamingTheLimit(_ testCase: Case) {
    let text = testCase.text()
    let (errors, elapsed) = Self.timed(text)
    #expect(errors == [testCase.error])
    // Generous for a debug build on a loaded machine; these took seconds to minutes before.
    #expect(elapsed < .seconds(2), "took \(elapsed)")
  }

  @Test func aFileJustWithinTheLimitsParses() throws {
    // 256 slots (the most a plan may have), each two keys deep, plus the traffic table.
    var text = "[server]\nmodel_name = \"many\"\n"
    for index in 0..<256 {
      text += "[slots.s\(index)]\nmodel = \"m\(index).onnx\"\nversion = \"v\(index)\"\n"
    }
    text += "[traffic]\n" + (0..<256).map { "s\($0) = 1\n" }.joined()
    let plan = try PlanParser.parse(text, file: Self.file).get()
    #expect(plan.slots.count == 256)
    // Nesting at the limit is fine.
    let deep = "a = " + String(repeating: "[", count: 31) + "1" + String(repeating: "]", count: 31) + "\n"
    #expect(TOMLSyntaxChecker.firstError(in: deep) == nil)
  }

  @Test func tenThousandUnknownKeysReportTwentyAndCountTheRest() {
    let keys = (0..<9_000).map { "unknown\($0) = 1\n" }.joined()
    let errors = Self.errors(keys + Fixtures.twoSlots(traffic: "[traffic]\nblue = 1"))
    #expect(errors.count == ConfigLimits.maxReportedErrors + 1)
    #expect(
      errors.first
        == "\(Self.file):1: unknown key 'unknown0' at the top level; known keys: server, slots, traffic, active, guard, rollout, shadow, prediction_log"
    )
    #expect(errors.last == "\(Self.file): and 8980 more problems (only the first 20 are reported)")
  }

  @Test func aHugeKeyIsQuotedOnlyInPart() {
    let key = String(repeating: "k", count: 100_000)
    let errors = Self.errors("\(key) = 1\n" + Fixtures.twoSlots(traffic: "[traffic]\nblue = 1"))
    #expect(errors.count == 1)
    #expect(errors[0].utf8.count < 700)
    #expect(errors[0].hasSuffix("more bytes)"))
  }

  @Test func theModelLineComesFromTheSourceMap() throws {
    let text = """
      active = "blue"
      slots.cyan = { model = "c.onnx" }
      [slots.blue]
      version = "v1"

      model = "blue.onnx"
      [slots.green]
      model = "green.onnx"
      [slots.red]
      model = "red.onnx"
      """
    let plan = try PlanParser.parse(text, file: Self.file).get()
    #expect(plan.slot(named: "cyan")?.modelLine == 2)
    #expect(plan.slot(named: "blue")?.modelLine == 6)
    #expect(plan.slot(named: "green")?.modelLine == 8)
    #expect(plan.slot(named: "red")?.modelLine == 10)
  }
}
