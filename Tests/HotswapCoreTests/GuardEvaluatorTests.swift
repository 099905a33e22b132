import HotswapConfig
import HotswapCore
import Testing

@Suite("Guard: evaluator and roles")
struct GuardEvaluatorTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var settings: GuardSettings
    var summary: WindowSummary
    var expected: GuardTrip.Threshold?
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "below min_requests never trips",
      settings: GuardSettings(maxErrorRate: 0.05, minRequests: 100),
      summary: WindowSummary(requests: 99, errors: 99, span: .seconds(10)),
      expected: nil
    ),
    Case(
      name: "error rate above the limit trips",
      settings: GuardSettings(maxErrorRate: 0.05, minRequests: 100),
      summary: WindowSummary(requests: 100, errors: 6, span: .seconds(10)),
      expected: .errorRate
    ),
    Case(
      name: "error rate at the limit holds",
      settings: GuardSettings(maxErrorRate: 0.05, minRequests: 100),
      summary: WindowSummary(requests: 100, errors: 5, span: .seconds(10)),
      expected: nil
    ),
    Case(
      name: "client errors do not count",
      settings: GuardSettings(maxErrorRate: 0.05, minRequests: 10),
      summary: WindowSummary(requests: 100, errors: 0, clientErrors: 90, span: .seconds(10)),
      expected: nil
    ),
    Case(
      name: "p99 above the limit trips",
      settings: GuardSettings(maxP99Milliseconds: 50, minRequests: 10),
      summary: WindowSummary(requests: 10, p99: .milliseconds(51), span: .seconds(10)),
      expected: .p99
    ),
    Case(
      name: "p99 below the limit holds",
      settings: GuardSettings(maxP99Milliseconds: 50, minRequests: 10),
      summary: WindowSummary(requests: 10, p99: .milliseconds(49), span: .seconds(10)),
      expected: nil
    ),
    Case(
      name: "error rate is checked first",
      settings: GuardSettings(maxErrorRate: 0.1, maxP99Milliseconds: 1, minRequests: 10),
      summary: WindowSummary(requests: 10, errors: 5, p99: .seconds(1), span: .seconds(10)),
      expected: .errorRate
    ),
  ]

  @Test(arguments: cases)
  func verdict(_ test: Case) {
    let trip = GuardEvaluator(settings: test.settings).evaluate(
      canary: "green",
      stable: "blue",
      summary: test.summary
    )
    #expect(trip?.threshold == test.expected)
    if let trip {
      #expect(trip.slot == "green")
      #expect(trip.stable == "blue")
      #expect(!trip.reason.isEmpty)
    }
  }

  struct RoleCase: Sendable {
    var weights: [String: Double]
    var rollout: String?
    var stable: String?
    var canaries: [String]
  }

  static let roleCases: [RoleCase] = [
    RoleCase(weights: ["blue": 90, "green": 10], rollout: nil, stable: "blue", canaries: ["green"]),
    RoleCase(weights: ["blue": 10, "green": 90], rollout: nil, stable: "green", canaries: ["blue"]),
    RoleCase(weights: ["blue": 50, "green": 50], rollout: nil, stable: "blue", canaries: ["green"]),
    RoleCase(weights: ["blue": 50, "green": 50], rollout: "blue", stable: "green", canaries: ["blue"]),
    RoleCase(weights: ["blue": 100, "green": 0], rollout: nil, stable: "blue", canaries: []),
    RoleCase(weights: ["blue": 5, "green": 95], rollout: "green", stable: "blue", canaries: ["green"]),
    RoleCase(weights: ["blue": 0, "green": 100], rollout: "green", stable: nil, canaries: ["green"]),
    RoleCase(weights: ["a": 60, "b": 30, "c": 10], rollout: nil, stable: "a", canaries: ["b", "c"]),
  ]

  @Test(arguments: roleCases)
  func roles(_ test: RoleCase) {
    let roles = TrafficRoles(weights: test.weights, rolloutSlot: test.rollout)
    #expect(roles.stable == test.stable)
    #expect(roles.canaries == test.canaries)
  }

  @Test func onlyCanariesWithEnoughRequestsAreJudged() {
    let evaluator = GuardEvaluator(settings: GuardSettings(maxErrorRate: 0.01, minRequests: 5))
    let trips = evaluator.evaluate(
      roles: TrafficRoles(stable: "a", canaries: ["b", "c"]),
      summaries: [
        "a": WindowSummary(requests: 100, errors: 100, span: .seconds(1)),
        "b": WindowSummary(requests: 4, errors: 4, span: .seconds(1)),
        "c": WindowSummary(requests: 5, errors: 1, span: .seconds(1)),
      ]
    )
    #expect(trips.map(\.slot) == ["c"])
    #expect(trips.first?.stable == "a")
  }
}
