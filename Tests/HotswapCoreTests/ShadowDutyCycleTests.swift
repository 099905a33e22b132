import Testing

@testable import HotswapCore

@Suite("Shadow duty cycle: the worker's CPU stays under its share of a core")
struct ShadowDutyCycleTests {
  static let millisecond: Int64 = 1_000_000

  @Test func underTheShareNoPause() {
    var duty = ShadowDutyCycle(share: 0.25)
    #expect(duty.pause(cpu: 0, wall: 0) == 0)
    // 10 ms of CPU in 50 ms: 20 %.
    #expect(duty.pause(cpu: 10 * Self.millisecond, wall: 50 * Self.millisecond) == 0)
  }

  @Test func overTheSharePausesUntilBackUnder() {
    var duty = ShadowDutyCycle(share: 0.25)
    _ = duty.pause(cpu: 0, wall: 0)
    // 20 ms of CPU in 20 ms: 25 % allows it after 80 ms, so 60 ms more.
    #expect(duty.pause(cpu: 20 * Self.millisecond, wall: 20 * Self.millisecond) == 60 * Self.millisecond)
  }

  @Test func aLongBusyStretchKeepsTheShare() {
    var duty = ShadowDutyCycle(share: 0.25)
    var cpu: Int64 = 0
    var wall: Int64 = 0
    _ = duty.pause(cpu: cpu, wall: wall)
    // A worker that is always busy: 2 ms batches, pausing as told, for 10 s.
    while wall < 10_000 * Self.millisecond {
      cpu += 2 * Self.millisecond
      wall += 2 * Self.millisecond
      wall += duty.pause(cpu: cpu, wall: wall)
    }
    let share = Double(cpu) / Double(wall)
    #expect(share <= 0.25 + 0.001)
    #expect(share >= 0.24)
  }

  @Test func fullShareNeverPauses() {
    var duty = ShadowDutyCycle(share: 1)
    #expect(duty.pause(cpu: 0, wall: 0) == 0)
    #expect(duty.pause(cpu: 100 * Self.millisecond, wall: 100 * Self.millisecond) == 0)
  }

  @Test func shareIsClamped() {
    #expect(ShadowDutyCycle(share: 0).share == 0.01)
    #expect(ShadowDutyCycle(share: 7).share == 1)
    #expect(ShadowDutyCycle(share: .nan).share == 1)
  }
}
