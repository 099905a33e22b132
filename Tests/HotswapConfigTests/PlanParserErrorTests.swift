import Testing

@testable import HotswapConfig

@Suite("PlanParser: every error names file, line and reason")
struct PlanParserErrorTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let errors: [String]
    var testDescription: String { name }
  }

  private static let f = "conf/active.toml"

  static let cases: [Case] = [
    Case(
      name: "misspelled server key",
      text: "active = \"blue\"\n[server]\nlistne = \"127.0.0.1:8080\"\n" + Fixtures.twoSlots(traffic: ""),
      errors: ["\(f):3: unknown key 'listne' in [server] (did you mean 'listen'?)"]
    ),
    Case(
      name: "unknown key without a near match",
      text: Fixtures.twoSlots(traffic: "[traffic]\nblue = 1\n[guard]\nmax_p99_ms = 5\ncolour = 1"),
      errors: [
        "\(f):10: unknown key 'colour' in [guard]; known keys: max_error_rate, max_p99_ms, min_requests, window, min_agreement, max_p99_difference"
      ]
    ),
    Case(
      name: "unknown table",
      text: Fixtures.twoSlots(traffic: "[trafic]\nblue = 1"),
      errors: [
        "\(f):6: unknown table [trafic] (did you mean [traffic]?)",
        "\(f): no traffic weights: add a [traffic] table with weights (such as blue = 100) or active = \"<slot>\" at the top of the file",
      ]
    ),
    Case(
      name: "unknown top-level key",
      text: "actve = \"blue\"\n" + Fixtures.twoSlots(traffic: "[traffic]\nblue = 1"),
      errors: ["\(f):1: unknown key 'actve' at the top level (did you mean 'active'?)"]
    ),
    Case(
      name: "unknown key in a slot",
      text: Fixtures.twoSlots(
        traffic: "[traffic]\nblue = 1\n[slots.red]\nmodel = \"r.onnx\"\nversoin = \"1\""
      ),
      errors: ["\(f):10: unknown key 'versoin' in [slots.red] (did you mean 'version'?)"]
    ),
    Case(
      name: "unknown slot in traffic",
      text: Fixtures.twoSlots(traffic: "[traffic]\nblue = 90\ngren = 10"),
      errors: ["\(f):8: unknown slot 'gren' in [traffic] (did you mean 'green'?); defined slots: blue, green"]
    ),
    Case(
      name: "negative weight",
      text: Fixtures.twoSlots(traffic: "[traffic]\nblue = 90\ngreen = -5"),
      errors: ["\(f):8: weight for 'green' must be ≥ 0, got -5"]
    ),
    Case(
      name: "all weights zero",
      text: Fixtures.twoSlots(traffic: "[traffic]\nblue = 0\ngreen = 0.0"),
      errors: ["\(f):6: every weight in [traffic] is 0; give at least one slot a weight > 0"]
    ),
    Case(
      name: "weight as a string",
      text: Fixtures.twoSlots(traffic: "[traffic]\nblue = \"90\"\ngreen = 10"),
      errors: ["\(f):7: weight for 'blue' must be a number, got string \"90\""]
    ),
    Case(
      name: "infinite weight",
      text: Fixtures.twoSlots(traffic: "[traffic]\nblue = inf\ngreen = 10"),
      errors: ["\(f):7: weight for 'blue' must be a finite number, got inf"]
    ),
    Case(
      name: "active and traffic",
      text: "active = \"green\"\n" + Fixtures.twoSlots(traffic: "[traffic]\nblue = 90"),
      errors: [
        "\(f):1: both 'active' and weights in [traffic] are set; keep one: active = \"green\" sends all traffic to one slot, [traffic] splits it"
      ]
    ),
    Case(
      name: "neither active nor traffic",
      text: Fixtures.twoSlots(traffic: ""),
      errors: [
        "\(f): no traffic weights: add a [traffic] table with weights (such as blue = 100) or active = \"<slot>\" at the top of the file"
      ]
    ),
    Case(
      name: "traffic table without weights",
      text: Fixtures.twoSlots(traffic: "[traffic]\nsticky_header = \"x-user\""),
      errors: [
        "\(f):6: no traffic weights: add a [traffic] table with weights (such as blue = 100) or active = \"<slot>\" at the top of the file"
      ]
    ),
    Case(
      name: "active names an unknown slot",
      text: "active = \"gren\"\n" + Fixtures.twoSlots(traffic: ""),
      errors: [
        "\(f):1: 'active' names unknown slot 'gren' (did you mean 'green'?); defined slots: blue, green"
      ]
    ),
    Case(
      name: "active written inside a table",
      text: Fixtures.twoSlots(traffic: "[traffic]\nactive = \"green\""),
      errors: [
        "\(f):7: 'active' must be at the top level, before the first [table]; inside [traffic] give weights instead, such as blue = 100"
      ]
    ),
    Case(
      name: "active after the slots",
      text: "[slots.blue]\nmodel = \"b.onnx\"\nactive = \"blue\"",
      errors: [
        "\(f):3: 'active' must be at the top level, before the first [table]; here it is read as part of [slots.blue]",
        "\(f): no traffic weights: add a [traffic] table with weights (such as blue = 100) or active = \"<slot>\" at the top of the file",
      ]
    ),
    Case(
      name: "bad slot name",
      text: "active = \"Blue\"\n[slots.Blue]\nmodel = \"b.onnx\"",
      errors: ["\(f):2: slot name 'Blue' must match [a-z0-9_-]+ (lowercase letters, digits, '_' and '-')"]
    ),
    Case(
      name: "slot without model",
      text: "active = \"blue\"\n[slots.blue]\nversion = \"1\"",
      errors: ["\(f):2: slot 'blue' has no model: add model = \"path/to/model.onnx\" to [slots.blue]"]
    ),
    Case(
      name: "slot that is not a table",
      text: "active = \"blue\"\n[slots]\nblue = \"b.onnx\"",
      errors: ["\(f):3: slot 'blue' must be a table like [slots.blue] with a model, got string \"b.onnx\""]
    ),
    Case(
      name: "empty model and version",
      text: "active = \"blue\"\n[slots.blue]\nmodel = \"\"\nversion = \" \"",
      errors: [
        "\(f):3: 'model' in [slots.blue] must not be empty",
        "\(f):4: 'version' in [slots.blue] must not be empty",
      ]
    ),
    Case(
      name: "no slots",
      text: "active = \"blue\"",
      errors: [
        "\(f):1: 'active' names unknown slot 'blue'; no slots are defined",
        "\(f): no slots: add at least one slot, such as [slots.blue] with model = \"path/to/model.onnx\"",
      ]
    ),
    Case(
      name: "bad durations",
      text: "[server]\nidle_timeout = \"60\"\nrequest_timeout = \"0s\"\ndrain_timeout = 10\n"
        + Fixtures.twoSlots(traffic: "[traffic]\nblue = 1"),
      errors: [
        "\(f):2: 'idle_timeout' in [server] must be a duration such as \"500ms\", \"30s\", \"2m\" or \"1h\", got string \"60\"",
        "\(f):3: 'request_timeout' in [server] must be longer than 0, got \"0s\"",
        "\(f):4: 'drain_timeout' in [server] must be a duration such as \"500ms\", \"30s\", \"2m\" or \"1h\", got integer 10",
      ]
    ),
    Case(
      name: "bad server values",
      text:
        "[server]\nlisten = \"localhost\"\nmodel_name = \"my model\"\nmax_body_bytes = 0\nmax_connections = 1.5\n"
        + Fixtures.twoSlots(traffic: "[traffic]\nblue = 1"),
      errors: [
        "\(f):2: 'listen' in [server] must be host:port, such as \"127.0.0.1:8080\", \"0.0.0.0:8080\" or \"[::1]:8080\" (port 0…65535), got \"localhost\"",
        "\(f):3: 'model_name' in [server] may hold only letters, digits, '.', '_' and '-' (it is part of the URL /v2/models/{name}), got \"my model\"",
        "\(f):4: 'max_body_bytes' in [server] must be > 0, got 0",
        "\(f):5: 'max_connections' in [server] must be an integer, got float 1.5",
      ]
    ),
    Case(
      name: "server is not a table",
      text: "server = \"x\"\n" + Fixtures.twoSlots(traffic: "[traffic]\nblue = 1"),
      errors: ["\(f):1: 'server' must be a table like [server], got string \"x\""]
    ),
    Case(
      name: "bad sticky header",
      text: Fixtures.twoSlots(traffic: "[traffic]\nblue = 1\nsticky_header = \"x user\""),
      errors: [
        "\(f):8: 'sticky_header' in [traffic] must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~), got \"x user\""
      ]
    ),
    Case(
      name: "bad guard",
      text: Fixtures.twoSlots(
        traffic:
          "[traffic]\nblue = 1\n[guard]\nmax_error_rate = 5\nmax_p99_ms = 0\nmin_requests = 0\nwindow = \"1d\""
      ),
      errors: [
        "\(f):9: 'max_error_rate' in [guard] must be between 0 and 1 (0.05 = 5 %), got 5",
        "\(f):10: 'max_p99_ms' in [guard] must be > 0, got 0",
        "\(f):11: 'min_requests' in [guard] must be > 0, got 0",
        "\(f):12: 'window' in [guard] must be a duration such as \"500ms\", \"30s\", \"2m\" or \"1h\", got string \"1d\"",
      ]
    ),
    Case(
      name: "guard without thresholds",
      text: Fixtures.twoSlots(traffic: "[traffic]\nblue = 1\n[guard]\nwindow = \"1m\""),
      errors: [
        "\(f):8: [guard] sets no threshold: add max_error_rate (such as 0.05), max_p99_ms (such as 50) or min_agreement (such as 0.98)"
      ]
    ),
    Case(
      name: "rollout of an unknown slot",
      text: Fixtures.twoSlots(
        traffic: "[traffic]\nblue = 1\n[rollout]\nslot = \"red\"\nsteps = [5, 100]\nevery = \"2m\""
      ),
      errors: ["\(f):9: 'slot' in [rollout] names unknown slot 'red'; defined slots: blue, green"]
    ),
    Case(
      name: "rollout steps not increasing",
      text: Fixtures.twoSlots(
        traffic: "[traffic]\nblue = 1\n[rollout]\nslot = \"green\"\nsteps = [5, 50, 50]\nevery = \"2m\""
      ),
      errors: ["\(f):10: 'steps' in [rollout] must increase, got 50 after 50"]
    ),
    Case(
      name: "rollout step out of range",
      text: Fixtures.twoSlots(
        traffic:
          "[traffic]\nblue = 1\n[rollout]\nslot = \"green\"\nsteps = [\n  5,\n  150,\n]\nevery = \"2m\""
      ),
      errors: ["\(f):10: each of 'steps' in [rollout] must be in (0, 100], got 150"]
    ),
    Case(
      name: "rollout steps of the wrong type and missing keys",
      text: Fixtures.twoSlots(traffic: "[traffic]\nblue = 1\n[rollout]\nsteps = [\"5\"]"),
      errors: [
        "\(f):8: [rollout] needs 'slot', such as slot = \"green\"",
        "\(f):8: [rollout] needs 'every', such as every = \"2m\"",
        "\(f):9: 'steps' in [rollout] must hold numbers, got string \"5\"",
      ]
    ),
    Case(
      name: "empty rollout steps",
      text: Fixtures.twoSlots(
        traffic: "[traffic]\nblue = 1\n[rollout]\nslot = \"green\"\nsteps = []\nevery = \"2m\""
      ),
      errors: ["\(f):10: 'steps' in [rollout] must hold at least one percentage, such as [5, 25, 50, 100]"]
    ),
    Case(
      name: "duplicate key is a syntax error",
      text: Fixtures.twoSlots(traffic: "[traffic]\nblue = 1\nblue = 2"),
      errors: [
        "\(f):8: TOML syntax error: 'blue' is defined twice"
      ]
    ),
    Case(
      name: "unterminated string is a syntax error",
      text: "active = \"blue\n" + Fixtures.twoSlots(traffic: ""),
      errors: [
        "\(f):1: TOML syntax error: unterminated string: add the closing '\"' on the same line"
      ]
    ),
    Case(
      name: "NUL byte",
      text: "active = \"blue\"\n\n\0",
      errors: ["\(f):3: the file contains a NUL byte; it is not TOML text"]
    ),
  ]

  @Test(arguments: cases)
  func reportsExactMessages(_ example: Case) {
    switch PlanParser.parse(example.text, file: Self.f, directory: "/srv") {
    case .success(let plan):
      Issue.record("expected errors, got a plan: \(plan)")
    case .failure(let errors):
      #expect(errors.errors.map(\.description) == example.errors)
      #expect(errors.description == example.errors.joined(separator: "\n"))
    }
  }

  @Test func reportsEveryErrorAtOnceInLineOrder() throws {
    let text = """
      actve = "blue"
      [server]
      listne = "x"
      max_body_bytes = -1
      [slots.blue]
      model = 5
      [slots.green]
      model = "g.onnx"
      [traffic]
      blue = -1
      green = "10"
      """
    let errors = try #require(PlanParser.parse(text, file: Self.f).failure)
    #expect(errors.errors.map(\.line) == [1, 3, 4, 6, 10, 11])
    #expect(errors.errors.allSatisfy { $0.file == Self.f })
  }

  @Test func errorWithoutLineDescribesFileOnly() {
    let error = ConfigError(file: "a.toml", line: nil, message: "no slots")
    #expect(error.description == "a.toml: no slots")
    #expect(ConfigError(file: "a.toml", line: 3, message: "x").description == "a.toml:3: x")
  }
}

extension Result {
  var failure: Failure? {
    if case .failure(let failure) = self { failure } else { nil }
  }
}
