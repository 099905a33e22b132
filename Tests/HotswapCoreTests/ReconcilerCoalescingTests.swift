import Foundation
import HotswapConfig
import Logging
import Synchronization
import Testing

@testable import HotswapCore

/// Saves in quick succession: merged while a pass runs, and a load overtaken by a newer save never
/// publishes its stale plan (the latest plan wins, reusing what the overtaken pass loaded).
@Suite struct ReconcilerCoalescingTests {
  /// Holds the load of one model path on the blocking thread until released, and reports when it
  /// started.
  final class LoadGate: Sendable {
    let path: String
    private let state = Mutex((armed: true, reads: [String]()))
    private let started: AsyncStream<Void>.Continuation
    let startedEvents: AsyncStream<Void>
    private let release = DispatchSemaphore(value: 0)

    init(path: String) {
      self.path = path
      (startedEvents, started) = AsyncStream.makeStream(of: Void.self)
    }

    /// The hook: counts every read, and blocks the first read of `path`.
    func beforeRead(_ read: String) {
      let hold = state.withLock { state in
        state.reads.append(read)
        defer { if read == path { state.armed = false } }
        return read == path && state.armed
      }
      if hold {
        started.yield()
        release.wait()
      }
    }

    func open() { release.signal() }
    var reads: [String] { state.withLock { $0.reads } }
  }

  static func config(green: String, blue: Double, greenWeight: Double) -> String {
    """
    [slots.blue]
    model = "\(ReconcilerTests.model("iris/v1.0.0"))"
    [slots.green]
    model = "\(green)"
    [traffic]
    blue = \(blue)
    green = \(greenWeight)
    """
  }

  @Test func aLoadOvertakenByANewerSaveNeverPublishesAndTheLatestWins() async throws {
    let directory = NSTemporaryDirectory() + "coalescing-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let configPath = directory + "/active.toml"
    let copy = directory + "/green-copy.onnx"
    try FileManager.default.copyItem(atPath: ReconcilerTests.model("iris/v1.1.0"), toPath: copy)
    let gate = LoadGate(path: copy)
    let store = SnapshotStore()
    let audit = try AuditTrail(directory: directory + "/state")
    let reconciler = Reconciler(
      configPath: configPath,
      store: store,
      state: DeploymentState(configPath: configPath),
      audit: audit,
      logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
      beforeModelRead: { gate.beforeRead($0) }
    )
    try Self.config(green: ReconcilerTests.model("iris/v1.1.0"), blue: 100, greenWeight: 0)
      .write(toFile: configPath, atomically: true, encoding: .utf8)
    #expect(await reconciler.reload(.startup).isApplied)

    // Save B (a new model for green): its pass blocks in the load.
    try Self.config(green: copy, blue: 90, greenWeight: 10).write(
      toFile: configPath,
      atomically: true,
      encoding: .utf8
    )
    let first = Task { await reconciler.reload(.configChanged) }
    for await _ in gate.startedEvents { break }
    // Save C while B loads, and a third save merged with it.
    try Self.config(green: copy, blue: 60, greenWeight: 40).write(
      toFile: configPath,
      atomically: true,
      encoding: .utf8
    )
    reconciler.submit(.configChanged)
    try Self.config(green: copy, blue: 20, greenWeight: 80).write(
      toFile: configPath,
      atomically: true,
      encoding: .utf8
    )
    reconciler.submit(.configChanged)
    gate.open()
    let outcome = await first.value

    #expect(outcome.isApplied)
    let snapshot = try #require(store.snapshot)
    #expect(snapshot.generation == 2, "B was published before the latest save")
    #expect(snapshot.slots.map(\.share) == [0.2, 0.8])
    #expect(snapshot.slot(named: "green")?.model.path == copy)
    // The overtaken pass's load was reused: the copy was read once.
    #expect(gate.reads.filter { $0 == copy }.count == 1)
    let applied = audit.entries().filter { $0.result == .applied }
    #expect(applied.count == 2)
    #expect(applied.last?.diff.contains("80%") == true)
  }

  @Test func changesSubmittedTogetherAreOnePass() async throws {
    let fixture = try ReconcilerTests.Fixture()
    try fixture.write(blue: 100, green: 0)
    await fixture.reconciler.reload(.startup)
    try fixture.write(blue: 50, green: 50)
    for _ in 0..<5 { fixture.reconciler.submit(.configChanged) }
    fixture.reconciler.submit(.signal)
    #expect(await fixture.reconciler.applyPending().isApplied)
    #expect(await fixture.reconciler.applyPending().isUnchanged)
    let entries = fixture.audit.entries()
    #expect(entries.map(\.result) == [.applied, .applied])
    #expect(entries.last?.trigger == "sighup")
    #expect(fixture.store.snapshot?.generation == 2)
  }
}

extension Reconciler.Outcome {
  var isApplied: Bool {
    if case .applied = self { return true }
    return false
  }

  var isUnchanged: Bool {
    if case .unchanged = self { return true }
    return false
  }
}
