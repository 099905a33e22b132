import Testing

@testable import HotswapConfig

@Suite("[prediction_log]: sample, inputs and rotation size, validated like the rest")
struct PredictionLogConfigTests {
  private static let file = "conf/active.toml"

  private static func parse(_ table: String) -> Result<Plan, ConfigErrors> {
    PlanParser.parse(Fixtures.twoSlots(traffic: "[traffic]\nblue = 1\n" + table), file: file)
  }

  private static func messages(_ table: String) -> [String] {
    guard case .failure(let errors) = parse(table) else { return [] }
    return errors.errors.map(\.description)
  }

  @Test func aFileWithoutTheTableLogsOnePredictionInAHundredWithoutInputs() throws {
    let plan = try Self.parse("").get()
    #expect(plan.predictionLog == .defaults)
    #expect(plan.predictionLog.sample == 0.01)
    #expect(!plan.predictionLog.inputs)
    #expect(plan.predictionLog.maxBytes == 16 << 20)
  }

  @Test func everyKeyIsRead() throws {
    let plan = try Self.parse("[prediction_log]\nsample = 1\ninputs = true\nmax_bytes = 1048576").get()
    #expect(plan.predictionLog == PredictionLogSettings(sample: 1, inputs: true, maxBytes: 1 << 20))
    let off = try Self.parse("[prediction_log]\nsample = 0").get()
    #expect(off.predictionLog.sample == 0)
  }

  @Test func badValuesNameTheLineAndTheRange() {
    #expect(
      Self.messages("[prediction_log]\nsample = 1.5")
        == [
          "\(Self.file):9: 'sample' in [prediction_log] must be between 0 and 1 (0.01 = one prediction in a hundred, 0 = off), got 1.5"
        ]
    )
    #expect(
      Self.messages("[prediction_log]\ninputs = \"yes\"")
        == ["\(Self.file):9: 'inputs' in [prediction_log] must be true or false, got string \"yes\""]
    )
    #expect(
      Self.messages("[prediction_log]\nmax_bytes = 1000")
        == [
          "\(Self.file):9: 'max_bytes' in [prediction_log] must be between 65536 (64 KiB) and 1073741824 (1 GiB), got 1000"
        ]
    )
    #expect(
      Self.messages("[prediction_log]\nsampel = 1")
        == ["\(Self.file):9: unknown key 'sampel' in [prediction_log] (did you mean 'sample'?)"]
    )
    let topLevel = PlanParser.parse(
      "prediction_log = 1\n" + Fixtures.twoSlots(traffic: "[traffic]\nblue = 1"),
      file: Self.file
    )
    guard case .failure(let errors) = topLevel else {
      Issue.record("a non-table [prediction_log] was accepted")
      return
    }
    #expect(
      errors.errors.map(\.description) == [
        "\(Self.file):1: 'prediction_log' must be a table like [prediction_log], got integer 1"
      ]
    )
  }

  @Test func aChangeIsADiffSoSavingItAppliesIt() throws {
    let before = try Self.parse("").get()
    let after = try Self.parse("[prediction_log]\nsample = 1\ninputs = true").get()
    #expect(
      PlanDiff(from: before, to: after).changes == [
        "prediction log (1% of predictions, rotated at 16777216 bytes) → (100% of predictions, with inputs, rotated at 16777216 bytes)"
      ]
    )
    let off = try Self.parse("[prediction_log]\nsample = 0").get()
    #expect(
      PlanDiff(from: before, to: off).changes == [
        "prediction log (1% of predictions, rotated at 16777216 bytes) → off"
      ]
    )
  }
}
