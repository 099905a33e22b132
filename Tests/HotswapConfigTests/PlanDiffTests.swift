import Testing

@testable import HotswapConfig

@Suite("PlanDiff")
struct PlanDiffTests {
  private static func plan(_ text: String) -> Plan {
    try! PlanParser.parse(text, file: Fixtures.file).get()
  }

  private static func twoSlots(
    blue: String = "v1.0.0",
    green: String = "v1.1.0",
    traffic: String,
    extra: String = ""
  )
    -> String
  {
    """
    \(extra)
    [slots.blue]
    model = "../models/iris/\(blue)/model.onnx"
    [slots.green]
    model = "../models/iris/\(green)/model.onnx"
    \(traffic)
    """
  }

  struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let old: String
    let new: String
    let description: String
    let changedModelSlots: [String]
    let serverChanged: Bool
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "canary and new model",
      old: twoSlots(traffic: "[traffic]\nblue = 100"),
      new: twoSlots(green: "v1.2.0", traffic: "[traffic]\nblue = 90\ngreen = 10"),
      description:
        "traffic blue 100% → 90%, green 0% → 10%; green model ../models/iris/v1.1.0/model.onnx → ../models/iris/v1.2.0/model.onnx",
      changedModelSlots: ["green"],
      serverChanged: false
    ),
    Case(
      name: "same shares written differently",
      old: twoSlots(traffic: "[traffic]\nblue = 90\ngreen = 10"),
      new: twoSlots(traffic: "[traffic]\nblue = 9\ngreen = 1.0"),
      description: "no changes",
      changedModelSlots: [],
      serverChanged: false
    ),
    Case(
      name: "switch with shorthand",
      old: twoSlots(traffic: "[traffic]\nblue = 2\ngreen = 1"),
      new: twoSlots(traffic: "", extra: "active = \"green\""),
      description: "traffic blue 66.67% → 0%, green 33.33% → 100%",
      changedModelSlots: [],
      serverChanged: false
    ),
    Case(
      name: "slot added and version and sticky",
      old: twoSlots(traffic: "[traffic]\nblue = 1"),
      new: twoSlots(
        traffic:
          "version = \"v9\"\n[slots.red]\nmodel = \"r.onnx\"\n[traffic]\nblue = 1\nsticky_header = \"x-user\""
      ),
      description: "green version (from model) → v9; slot red added: r.onnx, 0%; sticky header none → x-user",
      changedModelSlots: ["green", "red"],
      serverChanged: false
    ),
    Case(
      name: "slot removed, guard and rollout",
      old: twoSlots(traffic: "[slots.red]\nmodel = \"r.onnx\"\n[traffic]\nblue = 1"),
      new: twoSlots(
        traffic:
          "[traffic]\nblue = 1\n[guard]\nmax_error_rate = 0.05\nmax_p99_ms = 50\n[rollout]\nslot = \"green\"\nsteps = [5, 50, 100]\nevery = \"90s\""
      ),
      description:
        "slot red removed; guard off → (error rate ≤ 5%, p99 ≤ 50ms, min 100 requests per 1m); rollout off → (green 5% 50% 100% every 1m30s)",
      changedModelSlots: [],
      serverChanged: false
    ),
    Case(
      name: "server change",
      old: twoSlots(traffic: "[traffic]\nblue = 1", extra: "[server]\nlisten = \"127.0.0.1:8080\""),
      new: twoSlots(
        traffic: "[traffic]\nblue = 1",
        extra:
          "[server]\nlisten = \"[::]:9000\"\nidle_timeout = \"500ms\"\nstate_directory = \"/var/lib/hotswap\""
      ),
      description:
        "[server] listen 127.0.0.1:8080 → [::]:9000, idle_timeout 1m → 500ms, state_directory none → /var/lib/hotswap (applied on restart)",
      changedModelSlots: [],
      serverChanged: true
    ),
  ]

  @Test(arguments: cases)
  func describesChanges(_ example: Case) {
    let diff = PlanDiff(from: Self.plan(example.old), to: Self.plan(example.new))
    #expect(diff.description == example.description)
    #expect(diff.changedModelSlots == example.changedModelSlots)
    #expect(diff.serverChanged == example.serverChanged)
    #expect(diff.isEmpty == (example.description == "no changes"))
  }

  @Test func initialPlanLoadsEverySlot() {
    let diff = PlanDiff(from: nil, to: Self.plan(Fixtures.design))
    #expect(
      diff.description
        == "initial plan: blue 90% (../models/iris/v1.0.0/model.onnx), green 10% (../models/iris/v1.1.0/model.onnx)"
    )
    #expect(diff.changedModelSlots == ["blue", "green"])
    #expect(!diff.serverChanged)
    #expect(!diff.isEmpty)
  }

  @Test func removedSlotsAreListed() {
    let old = Self.plan(Self.twoSlots(traffic: "[slots.red]\nmodel = \"r.onnx\"\n[traffic]\nblue = 1"))
    let diff = PlanDiff(from: old, to: Self.plan(Self.twoSlots(traffic: "[traffic]\nblue = 1")))
    #expect(diff.removedSlots == ["red"])
  }
}
