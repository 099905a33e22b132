import Foundation
import HotswapConfig
import HotswapCore
import Testing

@Suite("Shadow gate: a shadowed rollout waits for agreement; a disagreeing canary trips")
struct ShadowGateTests {
  static let gated = """
    [shadow]
    slot = "green"
    [rollout]
    slot = "green"
    steps = [10, 50, 100]
    every = "1m"
    [guard]
    min_agreement = 0.98
    min_requests = 50
    window = "30s"
    """

  @Test func rolloutWaitsThenSteps() async throws {
    let deployment = try GuardTestDeployment()
    try deployment.write(traffic: "blue = 100\ngreen = 0", extra: Self.gated)
    let server = try await deployment.start()
    let t0 = deployment.origin
    #expect(server.percent("green") == 0)
    #expect(server.delivery.status().rollout?.state == .waiting)
    #expect(server.delivery.status().rolloutStepNumber == 0)

    // Time alone does not start it.
    #expect(await server.reconciler.reevaluate(now: t0.advanced(by: .seconds(120))).isEmpty)
    #expect(server.percent("green") == 0)

    // Too few predictions, then enough but disagreeing: still waiting.
    let t1 = t0.advanced(by: .seconds(125))
    GuardTestDeployment.shadow(server, count: 30, disagreeing: 0, at: t1)
    #expect(await server.reconciler.reevaluate(now: t1).isEmpty)
    #expect(server.delivery.status().shadowVerdict == .waiting(compared: 30, needed: 50))
    GuardTestDeployment.shadow(server, count: 30, disagreeing: 5, at: t1)
    #expect(await server.reconciler.reevaluate(now: t1).isEmpty)
    #expect(server.percent("green") == 0)

    // Agreement recovers in a later window: the first step is taken.
    let t2 = t1.advanced(by: .seconds(40))
    GuardTestDeployment.shadow(server, count: 100, disagreeing: 1, at: t2)
    let events = await server.reconciler.reevaluate(now: t2)
    #expect(events == [.rolloutStep(slot: "green", stepIndex: 0, percent: 10)])
    #expect(server.percent("green") == 10)
    #expect(server.delivery.status().rollout?.state == .running)
    // The step lasts `every` from when the gate opened.
    #expect(server.delivery.status(now: t2.wall).timeToNextStep == .seconds(60))
    #expect(server.audit.entries().filter { $0.trigger == "rollout" }.count == 1)
  }

  @Test func aDisagreeingCanaryTrips() async throws {
    let deployment = try GuardTestDeployment()
    try deployment.write(traffic: "blue = 100\ngreen = 0", extra: Self.gated)
    let server = try await deployment.start()
    let t1 = deployment.origin.advanced(by: .seconds(10))
    GuardTestDeployment.shadow(server, count: 100, disagreeing: 0, at: t1)
    _ = await server.reconciler.reevaluate(now: t1)
    #expect(server.percent("green") == 10)

    let t2 = t1.advanced(by: .seconds(40))
    GuardTestDeployment.shadow(server, count: 100, disagreeing: 10, at: t2)
    let events = await server.reconciler.reevaluate(now: t2)
    guard case .guardTripped(let trip) = events.first else {
      Issue.record("no trip: \(events)")
      return
    }
    #expect(trip.slot == "green")
    #expect(trip.threshold == .agreement)
    #expect(trip.reason == "shadow agreement 90% < min_agreement 98% (10 of 100 predictions disagreed)")
    #expect(events.last == .rolloutRolledBack(slot: "green", stepIndex: 0))
    #expect(server.percent("green") == 0)
    let audit = server.audit.entries().filter { $0.trigger == "guard-trip" }
    #expect(audit.count == 1)
    #expect(audit.first?.reason == trip.reason)
  }

  @Test func aShadowedCanaryWithoutRolloutTrips() async throws {
    let deployment = try GuardTestDeployment()
    try deployment.write(
      traffic: "blue = 90\ngreen = 10",
      extra: "[shadow]\nslot = \"green\"\n[guard]\nmin_agreement = 0.95\nmin_requests = 20"
    )
    let server = try await deployment.start()
    let t1 = deployment.origin.advanced(by: .seconds(10))
    GuardTestDeployment.shadow(server, count: 20, disagreeing: 2, at: t1)
    let events = await server.reconciler.reevaluate(now: t1)
    #expect(events.count == 1)
    #expect(server.percent("green") == 0)
    #expect(server.percent("blue") == 100)
  }

  @Test func restartWhileWaitingKeepsWaitingAndStartsTheWindowAgain() async throws {
    let deployment = try GuardTestDeployment()
    try deployment.write(traffic: "blue = 100\ngreen = 0", extra: Self.gated)
    let first = try await deployment.start()
    let t1 = deployment.origin.advanced(by: .seconds(10))
    GuardTestDeployment.shadow(first, count: 40, disagreeing: 0, at: t1)
    _ = await first.reconciler.reevaluate(now: t1)
    #expect(first.delivery.status().rollout?.state == .waiting)

    let t2 = t1.advanced(by: .seconds(5))
    let second = try await deployment.start(at: t2)
    #expect(second.delivery.status().rollout?.state == .waiting)
    #expect(second.percent("green") == 0)
    // The new process's window holds nothing yet: 40 more are not enough alone.
    GuardTestDeployment.shadow(second, count: 40, disagreeing: 0, at: t2.advanced(by: .seconds(5)))
    #expect(await second.reconciler.reevaluate(now: t2.advanced(by: .seconds(6))).isEmpty)
    GuardTestDeployment.shadow(second, count: 20, disagreeing: 0, at: t2.advanced(by: .seconds(6)))
    _ = await second.reconciler.reevaluate(now: t2.advanced(by: .seconds(7)))
    #expect(second.percent("green") == 10)
  }
}
