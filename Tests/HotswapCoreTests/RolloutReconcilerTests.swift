import Foundation
import HotswapConfig
import HotswapCore
import Testing

@Suite("Rollout: steps through the reconciler with an injected clock")
struct RolloutReconcilerTests {
  static let rollout = """
    [rollout]
    slot = "green"
    steps = [5, 25, 50, 100]
    every = "2m"
    [guard]
    max_error_rate = 0.05
    min_requests = 20
    window = "30s"
    """

  @Test func stepsUpToPromotion() async throws {
    let deployment = try GuardTestDeployment()
    try deployment.write(traffic: "blue = 100\ngreen = 0", extra: Self.rollout)
    let server = try await deployment.start()
    let t0 = deployment.origin
    #expect(server.percent("green") == 5)
    #expect(server.delivery.status(now: t0.wall).timeToNextStep == .seconds(120))
    #expect(await server.reconciler.reevaluate(now: t0.advanced(by: .seconds(119))).isEmpty)
    #expect(server.percent("green") == 5)
    let step2 = await server.reconciler.reevaluate(now: t0.advanced(by: .seconds(120)))
    #expect(step2 == [.rolloutStep(slot: "green", stepIndex: 1, percent: 25)])
    #expect(server.percent("green") == 25)
    #expect(server.percent("blue") == 75)
    _ = await server.reconciler.reevaluate(now: t0.advanced(by: .seconds(240)))
    #expect(server.percent("green") == 50)
    let last = await server.reconciler.reevaluate(now: t0.advanced(by: .seconds(360)))
    #expect(last == [.rolloutPromoted(slot: "green")])
    #expect(server.percent("green") == 100)
    #expect(server.delivery.status().rollout?.state == .promoted)
    #expect(server.delivery.status().timeToNextStep == nil)
    #expect(server.audit.entries().filter { $0.trigger == "rollout" }.count == 3)
  }

  @Test func tripMidRolloutRollsBack() async throws {
    let deployment = try GuardTestDeployment()
    try deployment.write(traffic: "blue = 100\ngreen = 0", extra: Self.rollout)
    let server = try await deployment.start()
    let t0 = deployment.origin
    let t1 = t0.advanced(by: .seconds(120))
    _ = await server.reconciler.reevaluate(now: t1)
    #expect(server.percent("green") == 25)
    let t2 = t1.advanced(by: .seconds(5))
    GuardTestDeployment.serve(server, slot: "green", count: 40, failing: 10, at: t2)
    let events = await server.reconciler.reevaluate(now: t2)
    #expect(events.count == 2)
    #expect(events.last == .rolloutRolledBack(slot: "green", stepIndex: 1))
    #expect(server.percent("green") == 0)
    #expect(server.percent("blue") == 100)
    // Time passing does not resume it.
    _ = await server.reconciler.reevaluate(now: t2.advanced(by: .seconds(600)))
    #expect(server.percent("green") == 0)
    #expect(server.delivery.status().rollout?.state == .rolledBack)
    #expect(server.delivery.status().rolloutStepNumber == 0)
  }

  @Test func restartMidRolloutResumesTheStep() async throws {
    let deployment = try GuardTestDeployment()
    try deployment.write(traffic: "blue = 100\ngreen = 0", extra: Self.rollout)
    let first = try await deployment.start()
    let t0 = deployment.origin
    _ = await first.reconciler.reevaluate(now: t0.advanced(by: .seconds(120)))
    #expect(first.percent("green") == 25)

    // Restart 30 s into step 2: same step, 90 s left.
    let restartedAt = t0.advanced(by: .seconds(150))
    let second = try await deployment.start(at: restartedAt)
    #expect(second.percent("green") == 25)
    // Persisted to the millisecond.
    let left = try #require(second.delivery.status(now: restartedAt.wall).timeToNextStep)
    #expect(abs(left.inSeconds - 90) <= 0.002)
    #expect(await second.reconciler.reevaluate(now: t0.advanced(by: .seconds(239))).isEmpty)
    _ = await second.reconciler.reevaluate(now: t0.advanced(by: .seconds(240)))
    #expect(second.percent("green") == 50)

    // Down for ten minutes: one step on the first evaluation, not a jump to 100 %.
    let third = try await deployment.start(at: t0.advanced(by: .seconds(900)))
    #expect(third.percent("green") == 50)
    _ = await third.reconciler.reevaluate(now: t0.advanced(by: .seconds(900)))
    #expect(third.percent("green") == 100)
  }

  @Test func changingTheFileRestartsTheRollout() async throws {
    let deployment = try GuardTestDeployment()
    try deployment.write(traffic: "blue = 100\ngreen = 0", extra: Self.rollout)
    let server = try await deployment.start()
    _ = await server.reconciler.reevaluate(now: deployment.origin.advanced(by: .seconds(120)))
    #expect(server.percent("green") == 25)
    try deployment.write(traffic: "blue = 100\ngreen = 0", extra: Self.rollout + "\n# edited")
    _ = await server.reconciler.reload(.configChanged, now: deployment.origin.advanced(by: .seconds(130)))
    #expect(server.percent("green") == 5)
  }
}
