import Testing

@testable import HotswapConfig

@Suite("ConfigEditor")
struct ConfigEditorTests {
  private func editor(_ text: String) -> ConfigEditor {
    ConfigEditor(text: text, file: Fixtures.file)
  }

  private func weights(_ text: String) throws -> [String: Double] {
    try PlanParser.parse(text, file: Fixtures.file).get().weights
  }

  @Test func changesOnlyTheWeightLines() throws {
    let result = try editor(Fixtures.design).settingWeights(["blue": 50, "green": 50])
    let expected = Fixtures.design
      .replacingFirst("blue = 90\n", with: "blue = 50\n")
      .replacingFirst("green = 10\n", with: "green = 50\n")
    #expect(result == expected)
    #expect(try weights(result) == ["blue": 50, "green": 50])
  }

  @Test func slotsLeftOutGetZero() throws {
    let result = try editor(Fixtures.design).settingWeights(["green": 100])
    let expected = Fixtures.design
      .replacingFirst("blue = 90\n", with: "blue = 0\n")
      .replacingFirst("green = 10\n", with: "green = 100\n")
    #expect(result == expected)
  }

  @Test func keepsSpacingCommentsAndFloatWeights() throws {
    let text = """
      [slots.blue]
      model = "b.onnx"
      [slots.green]
      model = "g.onnx"

      [traffic]
      blue   =   90   # stable
        green=10#canary
      sticky_header = "x-user"   # keep me
      """
    let result = try editor(text).settingWeights(["blue": 66.7, "green": 33.3])
    #expect(
      result == """
        [slots.blue]
        model = "b.onnx"
        [slots.green]
        model = "g.onnx"

        [traffic]
        blue   =   66.7   # stable
          green=33.3#canary
        sticky_header = "x-user"   # keep me
        """
    )
    #expect(try weights(result) == ["blue": 66.7, "green": 33.3])
  }

  @Test func addsMissingWeightAfterTheLastTrafficKey() throws {
    let text = """
      [slots.blue]
      model = "b.onnx"
      [slots.green]
      model = "g.onnx"
      [traffic]
      blue = 100
      sticky_header = "x-user"

      [guard]
      max_p99_ms = 50

      """
    let result = try editor(text).settingWeights(["blue": 90, "green": 10])
    #expect(
      result == """
        [slots.blue]
        model = "b.onnx"
        [slots.green]
        model = "g.onnx"
        [traffic]
        blue = 90
        sticky_header = "x-user"
        green = 10

        [guard]
        max_p99_ms = 50

        """
    )
  }

  @Test func convertsActiveToTraffic() throws {
    let result = try editor(Fixtures.active).settingWeights(["blue": 90, "green": 10])
    #expect(
      result == """
        # Everything to green.

        [server]
        model_name = "iris"

        [slots.blue]
        model = "../models/iris/v1.0.0/model.onnx"
        [slots.green]
        model = "../models/iris/v1.1.0/model.onnx"
        version = "v1.1.0"

        [traffic]
        blue = 90
        green = 10

        [guard]
        max_error_rate = 0.05
        window = "2m"

        """
    )
    #expect(try weights(result) == ["blue": 90, "green": 10])
  }

  @Test func convertsActiveToTrafficAtTheEndOfTheFile() throws {
    let text =
      "active = \"blue\"\n[slots.blue]\nmodel = \"b.onnx\"\n# trailing comment\n[slots.green]\nmodel = \"g.onnx\"\n\n"
    let result = try editor(text).settingWeights(["green": 1])
    #expect(
      result
        == "[slots.blue]\nmodel = \"b.onnx\"\n# trailing comment\n[slots.green]\nmodel = \"g.onnx\"\n\n[traffic]\ngreen = 1\n\n"
    )
  }

  @Test func convertsTrafficToActive() throws {
    let result = try editor(Fixtures.design).settingActive("green")
    let expected = Fixtures.design
      .replacingFirst("[server] ", with: "active = \"green\"\n\n[server] ")
      .replacingFirst("blue = 90\ngreen = 10\n", with: "")
    #expect(result == expected)
    #expect(try weights(result) == ["blue": 0, "green": 100])
  }

  @Test func replacesAnExistingActiveValueKeepingItsComment() throws {
    let result = try editor(Fixtures.active).settingActive("blue")
    #expect(result == Fixtures.active.replacingFirst("active = \"green\"   #", with: "active = \"blue\"   #"))
  }

  @Test func roundTripsThroughBothForms() throws {
    let active = try editor(Fixtures.design).settingActive("blue")
    let split = try editor(active).settingWeights(["blue": 75, "green": 25])
    #expect(try weights(split) == ["blue": 75, "green": 25])
    #expect(split.contains("# sticky_header = \"x-user-id\""))
    #expect(split.contains("# Shorthand instead of [traffic]"))
    let back = try editor(split).settingActive("green")
    #expect(try weights(back) == ["blue": 0, "green": 100])
  }

  @Test func keepsWindowsLineEndings() throws {
    let text =
      "[slots.blue]\r\nmodel = \"b.onnx\"\r\n[slots.green]\r\nmodel = \"g.onnx\"\r\n[traffic]\r\nblue = 1\r\n"
    let result = try editor(text).settingWeights(["blue": 1, "green": 2])
    #expect(result == text.replacingFirst("blue = 1\r\n", with: "blue = 1\r\ngreen = 2\r\n"))
  }

  struct Invalid: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let weights: [String: Double]
    let errors: [String]
    var testDescription: String { name }
  }

  static let f = Fixtures.file

  @Test(arguments: [
    Invalid(
      name: "unknown slot",
      text: Fixtures.design,
      weights: ["gren": 10, "blue": 90],
      errors: [
        "\(f): cannot set weight for 'gren': unknown slot (did you mean 'green'?); defined slots: blue, green"
      ]
    ),
    Invalid(
      name: "negative",
      text: Fixtures.design,
      weights: ["blue": -1, "green": .nan],
      errors: [
        "\(f): weight for 'blue' must be a finite number ≥ 0, got -1.0",
        "\(f): weight for 'green' must be a finite number ≥ 0, got nan",
      ]
    ),
    Invalid(
      name: "all zero",
      text: Fixtures.design,
      weights: ["blue": 0],
      errors: ["\(f): at least one slot needs a weight > 0"]
    ),
    Invalid(
      name: "current file invalid",
      text: "[slots.blue]\nmodel = 1\n",
      weights: ["blue": 1],
      errors: [
        "\(f):2: 'model' in [slots.blue] must be a string, got integer 1",
        "\(f): no traffic weights: add a [traffic] table with weights (such as blue = 100) or active = \"<slot>\" at the top of the file",
      ]
    ),
    Invalid(
      name: "inline traffic table",
      text: "traffic = { blue = 1 }\n[slots.blue]\nmodel = \"b.onnx\"\n",
      weights: ["blue": 2],
      errors: [
        "\(f):1: cannot edit the traffic weights here: write them as a [traffic] table with one 'slot = weight' per line"
      ]
    ),
  ])
  func rejectsBadEdits(_ example: Invalid) {
    do {
      _ = try editor(example.text).settingWeights(example.weights)
      Issue.record("expected an error")
    } catch {
      #expect(error.errors.map(\.description) == example.errors)
    }
  }

  @Test func rejectsActiveForUnknownSlot() {
    do {
      _ = try editor(Fixtures.design).settingActive("red")
      Issue.record("expected an error")
    } catch {
      #expect(
        error.description
          == "\(Fixtures.file): cannot send all traffic to 'red': unknown slot; defined slots: blue, green"
      )
    }
  }
}

extension String {
  func replacingFirst(_ target: String, with replacement: String) -> String {
    guard let range = range(of: target) else { return self + "<missing: \(target)>" }
    return String(self[..<range.lowerBound]) + replacement + String(self[range.upperBound...])
  }
}
