import Foundation
import HotswapConfig
import HotswapCore
import Testing

@Suite("Rollout: schedule")
struct RolloutScheduleTests {
  static let settings = RolloutSettings(slot: "green", steps: [5, 25, 50, 100], every: .seconds(120))
  static let start = Date(timeIntervalSince1970: 1_800_000_000)

  /// (seconds after the start at which `advance` is called, in order) → (step index, state, percent).
  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var ticks: [Double]
    var index: Int
    var state: RolloutProgress.State
    var percent: Double
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(name: "first step at start", ticks: [0], index: 0, state: .running, percent: 5),
    Case(name: "just before the first step ends", ticks: [119.9], index: 0, state: .running, percent: 5),
    Case(name: "second step after every", ticks: [120], index: 1, state: .running, percent: 25),
    Case(name: "steps in order", ticks: [120, 240, 360], index: 3, state: .promoted, percent: 100),
    Case(name: "no catch-up after a long pause", ticks: [1000], index: 1, state: .running, percent: 25),
    Case(name: "each step lasts a full every", ticks: [130, 249], index: 1, state: .running, percent: 25),
    Case(name: "third step", ticks: [130, 250], index: 2, state: .running, percent: 50),
  ]

  @Test(arguments: cases)
  func progress(_ test: Case) {
    let schedule = RolloutSchedule(settings: Self.settings)
    var progress = schedule.start(at: Self.start)
    for tick in test.ticks {
      progress = schedule.advance(progress, now: Self.start.addingTimeInterval(tick), tripped: false)
    }
    #expect(progress.stepIndex == test.index)
    #expect(progress.state == test.state)
    #expect(schedule.percent(progress) == test.percent)
  }

  @Test func tripRollsBackAndStaysRolledBack() {
    let schedule = RolloutSchedule(settings: Self.settings)
    var progress = schedule.advance(
      schedule.start(at: Self.start),
      now: Self.start.addingTimeInterval(120),
      tripped: false
    )
    progress = schedule.advance(progress, now: Self.start.addingTimeInterval(130), tripped: true)
    #expect(progress.state == .rolledBack)
    #expect(schedule.percent(progress) == 0)
    #expect(schedule.nextStepAt(progress) == nil)
    let later = schedule.advance(progress, now: Self.start.addingTimeInterval(1000), tripped: false)
    #expect(later == progress)
  }

  @Test func timeToNextStep() throws {
    let schedule = RolloutSchedule(settings: Self.settings)
    let progress = schedule.start(at: Self.start)
    #expect(schedule.timeToNextStep(progress, now: Self.start.addingTimeInterval(20)) == .seconds(100))
    #expect(schedule.timeToNextStep(progress, now: Self.start.addingTimeInterval(500)) == .zero)
  }

  static let shortSchedules: [([Double], RolloutProgress.State)] = [
    ([50], .completed), ([100], .promoted), ([10, 40], .running),
  ]

  @Test(arguments: shortSchedules)
  func singleOrShortSchedules(steps: [Double], state: RolloutProgress.State) {
    let schedule = RolloutSchedule(settings: RolloutSettings(slot: "green", steps: steps, every: .seconds(1)))
    #expect(schedule.start(at: Self.start).state == state)
  }

  @Test func lastStepBelowHundredHolds() {
    let schedule = RolloutSchedule(
      settings: RolloutSettings(slot: "green", steps: [10, 40], every: .seconds(10))
    )
    let progress = schedule.advance(
      schedule.start(at: Self.start),
      now: Self.start.addingTimeInterval(10),
      tripped: false
    )
    #expect(progress.state == .completed)
    #expect(schedule.percent(progress) == 40)
  }

  static let rolloutWeights: [(Double, [String: Double])] = [
    (5, ["blue": 95, "green": 5]),
    (50, ["blue": 50, "green": 50]),
    (100, ["blue": 0, "green": 100]),
  ]

  @Test(arguments: rolloutWeights)
  func overrideWeights(percent: Double, expected: [String: Double]) throws {
    let plan = try PlanParser.parse(
      """
      [slots.blue]
      model = "b.onnx"
      [slots.green]
      model = "g.onnx"
      [traffic]
      blue = 100
      """,
      file: "/tmp/x.toml"
    ).get()
    #expect(TrafficOverride(rollout: ("green", percent)).weights(for: plan) == expected)
    let tripped = TrafficOverride(rollout: ("green", percent), trips: [("green", "blue")]).weights(for: plan)
    #expect(tripped == ["blue": 100, "green": 0])
  }
}
