import Foundation
import HotswapConfig
import HotswapCore
import Logging
import Testing

/// The mirror with the repository's iris models: iris v1.0.0 (logistic regression) answers live,
/// v1.1.0 (a random forest) shadows; they disagree on some inputs of a fixed grid.
@Suite("Shadow mirror: exact counts, the disagreement sample, failures and restarts")
struct ShadowMirrorTests {
  /// 360 inputs over the iris feature ranges.
  static let grid: [[FeatureValue]] = {
    var rows: [[FeatureValue]] = []
    for sepalLength in [4.5, 5.5, 6.5, 7.5] {
      for sepalWidth in [2.5, 3.0, 3.5] {
        for petalLength in [1.5, 3.0, 4.5, 5.0, 5.5, 6.0] {
          for petalWidth in [0.2, 1.0, 1.5, 1.8, 2.2] {
            rows.append([sepalLength, sepalWidth, petalLength, petalWidth].map { .number($0) })
          }
        }
      }
    }
    return rows
  }()

  final class Fixture: Sendable {
    let directory: String
    let configPath: String
    let stateDirectory: String
    let store = SnapshotStore()
    let reconciler: Reconciler

    init(
      shadow: String,
      green: String = "iris/v1.1.0",
      traffic: String = "blue = 100\ngreen = 0"
    ) async throws {
      directory = NSTemporaryDirectory() + "hotswap-shadow-\(UUID().uuidString)"
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      configPath = directory + "/active.toml"
      stateDirectory = directory + "/state"
      let text = """
        [slots.blue]
        model = "\(GuardTestDeployment.repository.appendingPathComponent("models/iris/v1.0.0/model.onnx").path)"
        [slots.green]
        model = "\(GuardTestDeployment.repository.appendingPathComponent("models/\(green)/model.onnx").path)"
        [traffic]
        \(traffic)
        [shadow]
        \(shadow)
        """
      try text.write(toFile: configPath, atomically: true, encoding: .utf8)
      reconciler = Reconciler(
        configPath: configPath,
        store: store,
        state: DeploymentState(configPath: configPath),
        logger: Self.logger
      )
      _ = await reconciler.reload(.startup)
    }

    deinit {
      try? FileManager.default.removeItem(atPath: directory)
    }

    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func mirror() -> ShadowMirror {
      let mirror = ShadowMirror(stateDirectory: stateDirectory, logger: Self.logger)
      mirror.update(store.snapshot)
      return mirror
    }

    /// Serves `rows` on blue one request each through a prediction tap whose consumer is the
    /// mirror; returns how many requests it took.
    @discardableResult
    func serve(_ rows: [[FeatureValue]], through mirror: ShadowMirror, pinned: Bool = false) throws -> Int {
      let snapshot = try #require(store.snapshot)
      let blue = try #require(snapshot.slot(named: "blue"))
      let tap = PredictionTap(consumers: [mirror])
      var taken = 0
      for row in rows {
        let request = PredictionRequest(
          snapshot: snapshot,
          slot: blue,
          reason: pinned ? .pinned : .weighted,
          wireProtocol: .rest,
          endpoint: "predict"
        )
        guard let ticket = tap.ticket(for: request, stickyKey: nil) else { continue }
        taken += 1
        ticket.served(
          .rows([row]),
          .predictions(try blue.model.predict(rows: [row])),
          latency: .microseconds(40)
        )
      }
      return taken
    }
  }

  /// Waits until the mirror has accounted for `count` copies (compared, failed or dropped).
  static func settle(_ mirror: ShadowMirror, count: Int) async throws -> ShadowSummary {
    let deadline = ContinuousClock.now + .seconds(20)
    while ContinuousClock.now < deadline {
      let totals = mirror.statistics.totals().summary
      if totals.mirrored + totals.dropped >= count { return totals }
      try await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("the mirror did not account for \(count) copies in time")
    return mirror.statistics.totals().summary
  }

  /// The rows on which the two iris models disagree, computed directly.
  static func disagreeing(_ fixture: Fixture) throws -> [[FeatureValue]] {
    let snapshot = try #require(fixture.store.snapshot)
    let blue = try #require(snapshot.slot(named: "blue")).model
    let green = try #require(snapshot.slot(named: "green")).model
    let live = try blue.predict(rows: grid)
    let shadow = try green.predict(rows: grid)
    return zip(grid, zip(live, shadow)).filter { $0.1.0.value != $0.1.1.value }.map(\.0)
  }

  @Test func exactAgreementAndTheSampleHoldsExactlyTheDisagreements() async throws {
    let fixture = try await Fixture(shadow: "slot = \"green\"\nrecord = 1000")
    let mirror = fixture.mirror()
    defer { mirror.stop() }
    let expected = try Self.disagreeing(fixture)
    #expect(!expected.isEmpty)
    #expect(expected.count < Self.grid.count / 2)
    #expect(try fixture.serve(Self.grid, through: mirror) == Self.grid.count)
    let totals = try await Self.settle(mirror, count: Self.grid.count)
    #expect(totals.compared == Self.grid.count)
    #expect(totals.dropped == 0)
    #expect(totals.errors == 0)
    #expect(totals.predictions == Self.grid.count)
    #expect(totals.disagreeing == expected.count)

    mirror.persistNow()
    let records = DisagreementSample.records(at: fixture.stateDirectory + "/shadow-disagreements.jsonl")
    let recordedInputs = records.map(\.input)
    let expectedInputs = expected.map { row in
      RecordedValue.array(row.map { if case .number(let value) = $0 { .number(value) } else { .null } })
    }
    #expect(recordedInputs == expectedInputs)
    #expect(records.allSatisfy { $0.live.slot == "blue" && $0.shadow.slot == "green" })
    #expect(records.allSatisfy { $0.live.version == "v1.0.0" && $0.shadow.version == "v1.1.0" })
    #expect(records.allSatisfy { $0.live.prediction != $0.shadow.prediction })
  }

  @Test func withoutRecordNothingIsWritten() async throws {
    let fixture = try await Fixture(shadow: "slot = \"green\"")
    let mirror = fixture.mirror()
    defer { mirror.stop() }
    try fixture.serve(Self.grid, through: mirror)
    _ = try await Self.settle(mirror, count: Self.grid.count)
    mirror.persistNow()
    #expect(!FileManager.default.fileExists(atPath: fixture.stateDirectory + "/shadow-disagreements.jsonl"))
    #expect(FileManager.default.fileExists(atPath: fixture.stateDirectory + "/shadow.json"))
  }

  @Test func pinnedAndShadowAnsweredRequestsAreNotMirrored() async throws {
    let fixture = try await Fixture(shadow: "slot = \"green\"", traffic: "blue = 90\ngreen = 10")
    let mirror = fixture.mirror()
    defer { mirror.stop() }
    let snapshot = try #require(fixture.store.snapshot)
    #expect(mirror.shadowSlot(for: snapshot, answeredBy: "blue", pinned: true) == nil)
    #expect(mirror.shadowSlot(for: snapshot, answeredBy: "green", pinned: false) == nil)
    #expect(mirror.shadowSlot(for: snapshot, answeredBy: "blue", pinned: false)?.name == "green")
    let status = try #require(mirror.status(snapshot: snapshot, window: .seconds(60), since: nil))
    #expect(abs(status.eligibleShare - 0.9) < 1e-9)
    #expect(status.note != nil)
  }

  @Test func aSampleTakesItsShare() async throws {
    let fixture = try await Fixture(shadow: "slot = \"green\"\nsample = 25")
    let mirror = fixture.mirror()
    defer { mirror.stop() }
    #expect(try fixture.serve(Self.grid, through: mirror) == 90)
  }

  @Test func aShadowThatCannotTakeTheInputCountsErrors() async throws {
    // wine takes 13 features; the live iris rows have 4.
    let fixture = try await Fixture(shadow: "slot = \"green\"", green: "wine/v1.0.0")
    let mirror = fixture.mirror()
    defer { mirror.stop() }
    try fixture.serve(Array(Self.grid.prefix(20)), through: mirror)
    let totals = try await Self.settle(mirror, count: 20)
    #expect(totals.errors == 20)
    #expect(totals.compared == 0)
    let last = mirror.statistics.totals().lastError ?? ""
    #expect(last.hasPrefix("the shadow model takes 13 features"))
  }

  @Test func aFullQueueDropsAndCounts() async throws {
    let fixture = try await Fixture(shadow: "slot = \"green\"\nqueue = 1")
    let mirror = fixture.mirror()
    defer { mirror.stop() }
    let rows = Array(repeating: Self.grid[0], count: 2000)
    try fixture.serve(rows, through: mirror)
    let totals = try await Self.settle(mirror, count: rows.count)
    #expect(totals.mirrored + totals.dropped == rows.count)
    #expect(totals.dropped > 0)
  }

  @Test func aRestartContinuesTheTotalsAndTheSample() async throws {
    let fixture = try await Fixture(shadow: "slot = \"green\"\nrecord = 5")
    let first = fixture.mirror()
    try fixture.serve(Self.grid, through: first)
    let before = try await Self.settle(first, count: Self.grid.count)
    first.stop()
    let recordsBefore = DisagreementSample.records(at: fixture.stateDirectory + "/shadow-disagreements.jsonl")
    #expect(recordsBefore.count == 5)

    let second = ShadowMirror(stateDirectory: fixture.stateDirectory, logger: Fixture.logger)
    defer { second.stop() }
    let change = second.update(fixture.store.snapshot)
    guard case .began(let target, let restored) = change else {
      Issue.record("expected a beginning, got \(change)")
      return
    }
    #expect(target.slot == "green")
    #expect(restored)
    #expect(second.statistics.totals().summary == before)
    #expect(second.sample.count == 5)
    second.persistNow()
    #expect(
      DisagreementSample.records(at: fixture.stateDirectory + "/shadow-disagreements.jsonl") == recordsBefore
    )
  }
}
