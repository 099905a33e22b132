import Foundation
import HotswapConfig
import HotswapCore
import Logging
import Testing

/// The reconciler against real files: all-or-nothing plans, model reuse, the audit trail.
@Suite struct ReconcilerTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()

  static func model(_ name: String) -> String {
    repository.appendingPathComponent("models/\(name)/model.onnx").path
  }

  struct Fixture {
    let directory: URL
    let configPath: String
    let store = SnapshotStore()
    let state: DeploymentState
    let audit: AuditTrail
    let reconciler: Reconciler

    init(onlySlot: String? = nil) throws {
      directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "reconciler-\(UUID().uuidString)"
      )
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      configPath = directory.appendingPathComponent("active.toml").path
      state = DeploymentState(configPath: configPath)
      audit = try AuditTrail(directory: directory.appendingPathComponent("state").path)
      reconciler = Reconciler(
        configPath: configPath,
        store: store,
        state: state,
        onlySlot: onlySlot,
        audit: audit,
        logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
      )
    }

    func write(blue: Double, green: Double, greenModel: String = ReconcilerTests.model("iris/v1.1.0")) throws
    {
      let text = """
        [server]
        model_name = "iris"
        [slots.blue]
        model = "\(ReconcilerTests.model("iris/v1.0.0"))"
        [slots.green]
        model = "\(greenModel)"
        [traffic]
        blue = \(blue)
        green = \(green)
        """
      try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }
  }

  @Test func appliesAValidPlanAndPublishesOneSnapshot() async throws {
    let fixture = try Fixture()
    try fixture.write(blue: 90, green: 10)
    guard case .applied(let generation, _) = await fixture.reconciler.reload(.startup) else {
      Issue.record("not applied: \(fixture.state.value.lastError?.errors ?? [])")
      return
    }
    #expect(generation == 1)
    let snapshot = try #require(fixture.store.snapshot)
    #expect(snapshot.slots.map(\.name) == ["blue", "green"])
    #expect(snapshot.slots.map(\.share) == [0.9, 0.1])
    #expect(snapshot.slots.map(\.version) == ["v1.0.0", "v1.1.0"])
  }

  @Test func aWeightOnlyChangeReusesTheLoadedModels() async throws {
    let fixture = try Fixture()
    try fixture.write(blue: 100, green: 0)
    await fixture.reconciler.reload(.startup)
    let before = try #require(fixture.store.snapshot)
    try fixture.write(blue: 50, green: 50)
    await fixture.reconciler.reload(.configChanged)
    let after = try #require(fixture.store.snapshot)
    #expect(after.generation == before.generation + 1)
    #expect(after.slots[0].model === before.slots[0].model)
    #expect(after.slots[1].model === before.slots[1].model)
  }

  @Test func anUnchangedFileIsNotReapplied() async throws {
    let fixture = try Fixture()
    try fixture.write(blue: 100, green: 0)
    await fixture.reconciler.reload(.startup)
    guard case .unchanged = await fixture.reconciler.reload(.configChanged) else {
      Issue.record("an unchanged file produced a new plan")
      return
    }
    #expect(fixture.store.snapshot?.generation == 1)
  }

  @Test func aPlanWithAnUnloadableModelIsRejectedWholeAndTheLastGoodOneServes() async throws {
    let fixture = try Fixture()
    try fixture.write(blue: 100, green: 0)
    await fixture.reconciler.reload(.startup)
    let garbage = fixture.directory.appendingPathComponent("garbage.onnx").path
    try Data("not a model".utf8).write(to: URL(fileURLWithPath: garbage))
    try fixture.write(blue: 10, green: 90, greenModel: garbage)
    guard case .rejected(let errors) = await fixture.reconciler.reload(.configChanged) else {
      Issue.record("a plan with a broken model was applied")
      return
    }
    #expect(errors.count == 1)
    #expect(errors[0].contains("active.toml:6: slot 'green': model \(garbage)"))
    #expect(fixture.store.snapshot?.generation == 1)
    #expect(fixture.store.snapshot?.slots.map(\.share) == [1, 0])
    #expect(fixture.state.value.lastError?.errors == errors)
  }

  @Test func aChangedModelFileIsReloadedAndAnIdenticalOneIsNot() async throws {
    let fixture = try Fixture()
    let copy = fixture.directory.appendingPathComponent("green.onnx").path
    try FileManager.default.copyItem(atPath: Self.model("iris/v1.1.0"), toPath: copy)
    try fixture.write(blue: 50, green: 50, greenModel: copy)
    await fixture.reconciler.reload(.startup)
    let first = try #require(fixture.store.snapshot?.slot(named: "green")?.model)
    guard case .unchanged = await fixture.reconciler.reload(.modelChanged(path: copy)) else {
      Issue.record("touching a model without changing it published a new snapshot")
      return
    }
    try FileManager.default.removeItem(atPath: copy)
    try FileManager.default.copyItem(atPath: Self.model("iris/v1.0.0"), toPath: copy)
    guard case .applied = await fixture.reconciler.reload(.modelChanged(path: copy)) else {
      Issue.record("a changed model file was not reloaded")
      return
    }
    let second = try #require(fixture.store.snapshot?.slot(named: "green")?.model)
    #expect(second !== first)
    #expect(second.sha256 != first.sha256)
  }

  @Test func onlySlotServesThatSlotAtFullShare() async throws {
    let fixture = try Fixture(onlySlot: "green")
    try fixture.write(blue: 100, green: 0)
    await fixture.reconciler.reload(.startup)
    let snapshot = try #require(fixture.store.snapshot)
    #expect(snapshot.slots.map(\.name) == ["green"])
    #expect(snapshot.slots.map(\.share) == [1])
  }

  @Test func theAuditTrailRecordsEveryChangeAndFindsTheRollbackTarget() async throws {
    let fixture = try Fixture()
    try fixture.write(blue: 100, green: 0)
    await fixture.reconciler.reload(.startup)
    let first = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
    try fixture.write(blue: 90, green: 10)
    await fixture.reconciler.reload(.configChanged)
    try "broken [".write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
    await fixture.reconciler.reload(.configChanged)
    let entries = fixture.audit.entries()
    #expect(entries.map(\.result) == [.applied, .applied, .rejected])
    #expect(entries.map(\.generation) == [1, 2, 2])
    #expect(entries[1].diff.contains("90%"))
    #expect(entries[2].reason?.contains("active.toml:1") == true)
    #expect(fixture.audit.rollbackTarget()?.config == first)
  }
}

/// Two slots naming one model file (green set to blue's model before a promotion): loaded once,
/// served in both, under each slot's version.
@Suite struct ReconcilerSharedModelTests {
  static func write(_ fixture: ReconcilerTests.Fixture, green: String, greenVersion: String?) throws {
    let text = """
      [slots.blue]
      model = "\(ReconcilerTests.model("iris/v1.0.0"))"
      [slots.green]
      model = "\(green)"
      \(greenVersion.map { "version = \"\($0)\"" } ?? "")
      [traffic]
      blue = 50
      green = 50
      """
    try text.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
  }

  @Test func atStartAndOnEverySaveOneLoadServesBothSlots() async throws {
    let fixture = try ReconcilerTests.Fixture()
    let shared = ReconcilerTests.model("iris/v1.0.0")
    try Self.write(fixture, green: shared, greenVersion: nil)
    #expect(await fixture.reconciler.reload(.startup).isApplied)
    var snapshot = try #require(fixture.store.snapshot)
    #expect(snapshot.slots[0].model === snapshot.slots[1].model)
    #expect(await fixture.reconciler.watchedModelPaths == [shared])

    // A version of its own for green: same session, two versions.
    try Self.write(fixture, green: shared, greenVersion: "v1.0.0-green")
    #expect(await fixture.reconciler.reload(.configChanged).isApplied)
    snapshot = try #require(fixture.store.snapshot)
    #expect(snapshot.slots[0].model.session === snapshot.slots[1].model.session)
    #expect(snapshot.slots.map(\.version) == ["v1.0.0", "v1.0.0-green"])

    // Apart again, then together again: no crash, each publish whole.
    try Self.write(fixture, green: ReconcilerTests.model("iris/v1.1.0"), greenVersion: nil)
    #expect(await fixture.reconciler.reload(.configChanged).isApplied)
    try Self.write(fixture, green: shared, greenVersion: nil)
    #expect(await fixture.reconciler.reload(.configChanged).isApplied)
    #expect(fixture.store.snapshot?.generation == 4)
    #expect(fixture.store.snapshot?.slots.map(\.version) == ["v1.0.0", "v1.0.0"])
  }

  @Test func aChangeToTheSharedFileReloadsItOnceForBoth() async throws {
    let fixture = try ReconcilerTests.Fixture()
    let copy = fixture.directory.appendingPathComponent("shared.onnx").path
    try FileManager.default.copyItem(atPath: ReconcilerTests.model("iris/v1.0.0"), toPath: copy)
    let text = """
      [slots.blue]
      model = "\(copy)"
      [slots.green]
      model = "\(copy)"
      [traffic]
      blue = 1
      """
    try text.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
    #expect(await fixture.reconciler.reload(.startup).isApplied)
    try FileManager.default.removeItem(atPath: copy)
    try FileManager.default.copyItem(atPath: ReconcilerTests.model("iris/v1.1.0"), toPath: copy)
    #expect(await fixture.reconciler.reload(.modelChanged(path: copy)).isApplied)
    let snapshot = try #require(fixture.store.snapshot)
    #expect(snapshot.slots.map(\.version) == ["v1.1.0", "v1.1.0"])
    #expect(snapshot.slots[0].model === snapshot.slots[1].model)
  }

  @Test func aModelErrorPointsAtTheModelLine() async throws {
    let fixture = try ReconcilerTests.Fixture()
    try fixture.write(blue: 100, green: 0)
    await fixture.reconciler.reload(.startup)
    let text = """
      [slots.blue]
      version = "v1"
      # the model:
      model = "\(fixture.directory.path)/missing.onnx"
      [traffic]
      blue = 1
      """
    try text.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
    guard case .rejected(let errors) = await fixture.reconciler.reload(.configChanged) else {
      Issue.record("a missing model was applied")
      return
    }
    #expect(
      errors == [
        "\(fixture.configPath):4: slot 'blue': model \(fixture.directory.path)/missing.onnx: does not exist"
      ]
    )
  }
}
