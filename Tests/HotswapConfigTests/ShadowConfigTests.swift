import Testing

@testable import HotswapConfig

@Suite("[shadow] and the guard's shadow thresholds: values, defaults and every error")
struct ShadowConfigTests {
  private static let f = "conf/active.toml"

  private static func plan(_ traffic: String, _ extra: String) -> Result<Plan, ConfigErrors> {
    PlanParser.parse(Fixtures.twoSlots(traffic: "[traffic]\n\(traffic)\n\(extra)"), file: f)
  }

  @Test func defaults() throws {
    let plan = try Self.plan("blue = 1", "[shadow]\nslot = \"green\"").get()
    #expect(plan.shadow == ShadowSettings(slot: "green"))
    #expect(plan.shadow?.samplePercent == 100)
    #expect(plan.shadow?.record == 0)
    #expect(plan.shadow?.queue == 1024)
    #expect(plan.shadow?.maxQueueBytes == 16 << 20)
    #expect(plan.shadowNote == nil)
  }

  @Test func everyKey() throws {
    let plan = try Self.plan(
      "blue = 1",
      """
      [shadow]
      slot = "green"
      sample = 12.5
      record = 50
      tolerance = 0.25
      queue = 64
      max_queue_bytes = 100000
      [guard]
      min_agreement = 0.98
      max_p99_difference = 0.5
      min_requests = 20
      """
    ).get()
    #expect(
      plan.shadow
        == ShadowSettings(
          slot: "green",
          samplePercent: 12.5,
          record: 50,
          tolerance: 0.25,
          queue: 64,
          maxQueueBytes: 100_000
        )
    )
    #expect(plan.guardSettings?.minAgreement == 0.98)
    #expect(plan.guardSettings?.maxP99Difference == 0.5)
    #expect(plan.guardSettings?.maxErrorRate == nil)
    #expect(plan.guardSettings?.judgesShadow == true)
  }

  @Test func aShadowThatTakesTrafficSaysWhatHappens() throws {
    let plan = try Self.plan("blue = 90\ngreen = 10", "[shadow]\nslot = \"green\"").get()
    #expect(
      plan.shadowNote
        == "[shadow] slot 'green' takes 10% of unpinned traffic itself: only the requests other slots answer are mirrored to it"
    )
  }

  struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let traffic: String
    let extra: String
    let errors: [String]
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "unknown slot",
      traffic: "blue = 1",
      extra: "[shadow]\nslot = \"gren\"",
      errors: [
        "\(f):9: 'slot' in [shadow] names unknown slot 'gren' (did you mean 'green'?); defined slots: blue, green"
      ]
    ),
    Case(
      name: "no slot",
      traffic: "blue = 1",
      extra: "[shadow]\nsample = 50",
      errors: [
        "\(f):8: [shadow] needs 'slot', the loaded slot that gets the copies, such as slot = \"green\""
      ]
    ),
    Case(
      name: "the shadow takes all traffic",
      traffic: "blue = 0\ngreen = 1",
      extra: "[shadow]\nslot = \"green\"",
      errors: [
        "\(f):10: [shadow] slot 'green' takes all traffic itself, so no request is answered by another slot and nothing would be mirrored; shadow a standby slot (weight 0), or give another slot traffic"
      ]
    ),
    Case(
      name: "sample above 100",
      traffic: "blue = 1",
      extra: "[shadow]\nslot = \"green\"\nsample = 150",
      errors: ["\(f):10: 'sample' in [shadow] must be a percentage in (0, 100], got 150"]
    ),
    Case(
      name: "sample zero",
      traffic: "blue = 1",
      extra: "[shadow]\nslot = \"green\"\nsample = 0",
      errors: [
        "\(f):10: 'sample' in [shadow] must be a percentage in (0, 100], got 0; to stop shadowing, remove [shadow]"
      ]
    ),
    Case(
      name: "sample as a string",
      traffic: "blue = 1",
      extra: "[shadow]\nslot = \"green\"\nsample = \"50%\"",
      errors: ["\(f):10: 'sample' in [shadow] must be a number, got string \"50%\""]
    ),
    Case(
      name: "record too large",
      traffic: "blue = 1",
      extra: "[shadow]\nslot = \"green\"\nrecord = 5000",
      errors: ["\(f):10: 'record' in [shadow] keeps at most 1000 disagreements, got 5000"]
    ),
    Case(
      name: "negative record",
      traffic: "blue = 1",
      extra: "[shadow]\nslot = \"green\"\nrecord = -1",
      errors: ["\(f):10: 'record' in [shadow] must be ≥ 0, got -1"]
    ),
    Case(
      name: "negative tolerance",
      traffic: "blue = 1",
      extra: "[shadow]\nslot = \"green\"\ntolerance = -0.5",
      errors: ["\(f):10: 'tolerance' in [shadow] must be ≥ 0, got -0.5"]
    ),
    Case(
      name: "queue out of range",
      traffic: "blue = 1",
      extra: "[shadow]\nslot = \"green\"\nqueue = 0\nmax_queue_bytes = 0",
      errors: [
        "\(f):10: 'queue' in [shadow] must be > 0, got 0",
        "\(f):11: 'max_queue_bytes' in [shadow] must be > 0, got 0",
      ]
    ),
    Case(
      name: "queue too large",
      traffic: "blue = 1",
      extra: "[shadow]\nslot = \"green\"\nqueue = 100000",
      errors: ["\(f):10: 'queue' in [shadow] must be at most 16384, got 100000"]
    ),
    Case(
      name: "misspelt key",
      traffic: "blue = 1",
      extra: "[shadow]\nslot = \"green\"\nsampel = 10",
      errors: ["\(f):10: unknown key 'sampel' in [shadow] (did you mean 'sample'?)"]
    ),
    Case(
      name: "shadow is not a table",
      traffic: "blue = 1",
      extra: "[guard]\nmax_p99_ms = 5\nshadow = 1",
      errors: [
        "\(f):10: unknown key 'shadow' in [guard]; known keys: max_error_rate, max_p99_ms, min_requests, window, min_agreement, max_p99_difference"
      ]
    ),
    Case(
      name: "min_agreement out of range",
      traffic: "blue = 1",
      extra: "[shadow]\nslot = \"green\"\n[guard]\nmin_agreement = 98",
      errors: ["\(f):11: 'min_agreement' in [guard] must be between 0 and 1 (0.98 = 98 %), got 98"]
    ),
    Case(
      name: "negative max_p99_difference",
      traffic: "blue = 1",
      extra: "[shadow]\nslot = \"green\"\n[guard]\nmax_p99_difference = -1",
      errors: ["\(f):11: 'max_p99_difference' in [guard] must be ≥ 0, got -1"]
    ),
    Case(
      name: "min_agreement without a shadow",
      traffic: "blue = 1",
      extra: "[guard]\nmin_agreement = 0.98",
      errors: [
        "\(f):9: 'min_agreement' in [guard] needs a [shadow] table: the shadow's predictions are what it judges (add [shadow] with slot = \"green\")"
      ]
    ),
  ]

  @Test(arguments: cases)
  func errors(_ testCase: Case) {
    switch Self.plan(testCase.traffic, testCase.extra) {
    case .success: Issue.record("parsed, expected \(testCase.errors)")
    case .failure(let errors): #expect(errors.errors.map(\.description) == testCase.errors)
    }
  }

  @Test func unknownTableListsShadow() {
    let result = PlanParser.parse(
      Fixtures.twoSlots(traffic: "[traffic]\nblue = 1\n[colour]\nx = 1"),
      file: Self.f
    )
    guard case .failure(let errors) = result else {
      Issue.record("parsed")
      return
    }
    #expect(
      errors.errors.map(\.description) == [
        "\(Self.f):8: unknown table [colour]; known tables: [server], [slots.<name>], [traffic], [guard], [rollout], [shadow], [prediction_log]"
      ]
    )
  }

  @Test func diffNamesTheShadow() throws {
    let before = try Self.plan("blue = 1", "").get()
    let after = try Self.plan(
      "blue = 1",
      "[shadow]\nslot = \"green\"\nsample = 50\nrecord = 10\n[guard]\nmin_agreement = 0.98"
    ).get()
    #expect(
      PlanDiff(from: before, to: after).description
        == "guard off → (agreement ≥ 98%, min 100 requests per 1m); shadow off → (green 50% of requests, record 10)"
    )
    #expect(
      PlanDiff(from: after, to: before).changes.last == "shadow (green 50% of requests, record 10) → off"
    )
  }
}
