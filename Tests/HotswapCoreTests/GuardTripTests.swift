import Foundation
import HotswapConfig
import HotswapCore
import Testing

@Suite("Guard: trips through the reconciler, persisted across restarts")
struct GuardTripTests {
  static let guardTable = """
    [guard]
    max_error_rate = 0.05
    max_p99_ms = 20
    min_requests = 50
    window = "10s"
    """

  @Test func failingCanaryLosesItsTrafficAndTheTripSurvivesARestart() async throws {
    let deployment = try GuardTestDeployment()
    try deployment.write(traffic: "blue = 90\ngreen = 10", extra: Self.guardTable)
    let server = try await deployment.start()
    #expect(server.percent("green") == 10)
    let t0 = deployment.origin.advanced(by: .seconds(1))

    // Fewer than min_requests: no verdict, even though every one failed.
    GuardTestDeployment.serve(server, slot: "green", count: 49, failing: 49, at: t0)
    #expect(await server.reconciler.reevaluate(now: t0).isEmpty)
    #expect(server.percent("green") == 10)

    GuardTestDeployment.serve(server, slot: "green", count: 1, failing: 1, at: t0)
    let events = await server.reconciler.reevaluate(now: t0)
    let trip = try #require(
      events.first.flatMap { if case .guardTripped(let trip) = $0 { trip } else { nil } }
    )
    #expect(trip.slot == "green")
    #expect(trip.stable == "blue")
    #expect(trip.threshold == .errorRate)
    #expect(server.percent("green") == 0)
    #expect(server.percent("blue") == 100)
    #expect(server.delivery.status().trips.map(\.slot) == ["green"])
    #expect(server.delivery.status().tripCounts == ["green": 1])
    let audited = server.audit.entries().last
    #expect(audited?.trigger == "guard-trip")
    #expect(audited?.reason?.contains("error rate") == true)

    // Restart: the trip is in force before any request is served.
    let restarted = try await deployment.start()
    #expect(restarted.percent("green") == 0)
    #expect(restarted.delivery.status().trips.map(\.slot) == ["green"])

    // Changing the file clears it.
    try deployment.write(traffic: "blue = 80\ngreen = 20", extra: Self.guardTable)
    _ = await restarted.reconciler.reload(.configChanged)
    #expect(restarted.percent("green") == 20)
    #expect(restarted.delivery.status().trips.isEmpty)
  }

  @Test func slowCanaryTripsOnP99() async throws {
    let deployment = try GuardTestDeployment()
    try deployment.write(traffic: "blue = 50\ngreen = 50", extra: Self.guardTable)
    let server = try await deployment.start()
    let t0 = deployment.origin.advanced(by: .seconds(2))
    GuardTestDeployment.serve(
      server,
      slot: "blue",
      count: 100,
      failing: 0,
      latency: .milliseconds(200),
      at: t0
    )
    GuardTestDeployment.serve(
      server,
      slot: "green",
      count: 100,
      failing: 0,
      latency: .milliseconds(30),
      at: t0
    )
    let events = await server.reconciler.reevaluate(now: t0)
    #expect(events.count == 1)
    // 50/50: blue is stable (first by name), so only green is judged.
    #expect(server.percent("green") == 0)
    #expect(server.delivery.status().trips.first?.threshold == .p99)
  }

  @Test func requestsOutsideTheWindowOrBeforeTheConfigDoNotCount() async throws {
    let deployment = try GuardTestDeployment()
    try deployment.write(traffic: "blue = 90\ngreen = 10", extra: Self.guardTable)
    let server = try await deployment.start()
    let t0 = deployment.origin.advanced(by: .seconds(1))
    GuardTestDeployment.serve(server, slot: "green", count: 100, failing: 100, at: t0)
    // Eleven seconds later the failures have left the 10 s window.
    let later = t0.advanced(by: .seconds(11))
    GuardTestDeployment.serve(server, slot: "green", count: 100, failing: 0, at: later)
    #expect(await server.reconciler.reevaluate(now: later).isEmpty)
    #expect(server.percent("green") == 10)
  }

  @Test func healthyCanaryKeepsItsShare() async throws {
    let deployment = try GuardTestDeployment()
    try deployment.write(traffic: "blue = 90\ngreen = 10", extra: Self.guardTable)
    let server = try await deployment.start()
    let t0 = deployment.origin.advanced(by: .seconds(1))
    GuardTestDeployment.serve(server, slot: "green", count: 1000, failing: 50, at: t0)
    #expect(await server.reconciler.reevaluate(now: t0).isEmpty)
    #expect(server.percent("green") == 10)
    #expect(server.delivery.status().trips.isEmpty)
  }
}
