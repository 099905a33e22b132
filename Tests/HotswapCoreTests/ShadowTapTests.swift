import Foundation
import HotswapCore
import OnnxInference
import Testing

/// The mirror as the prediction tap's consumer: what it takes, what it copies, and that Open
/// Inference Protocol tensors are compared like rows.
@Suite("Shadow mirror through the prediction tap")
struct ShadowTapTests {
  static func request(
    _ snapshot: Snapshot,
    slot: String,
    reason: RouteReason = .weighted,
    endpoint: String = "predict"
  ) throws -> PredictionRequest {
    PredictionRequest(
      snapshot: snapshot,
      slot: try #require(snapshot.slot(named: slot)),
      reason: reason,
      wireProtocol: endpoint == "ModelInfer" || endpoint == "Predict" ? .grpc : .rest,
      endpoint: endpoint
    )
  }

  @Test func takesOnlyUnpinnedRequestsAnsweredByAnotherSlot() async throws {
    let fixture = try await ShadowMirrorTests.Fixture(
      shadow: "slot = \"green\"",
      traffic: "blue = 90\ngreen = 10"
    )
    let mirror = fixture.mirror()
    defer { mirror.stop() }
    let snapshot = try #require(fixture.store.snapshot)
    let tap = PredictionTap(consumers: [mirror])
    let pinned = try Self.request(snapshot, slot: "blue", reason: .pinned)
    let answeredByTheShadow = try Self.request(snapshot, slot: "green")
    let sticky = try Self.request(snapshot, slot: "blue", reason: .sticky)
    let modelInfer = try Self.request(snapshot, slot: "blue", endpoint: "ModelInfer")
    #expect(tap.ticket(for: pinned, stickyKey: nil) == nil)
    #expect(tap.ticket(for: answeredByTheShadow, stickyKey: nil) == nil)
    #expect(tap.ticket(for: sticky, stickyKey: "u1") != nil)
    #expect(tap.ticket(for: modelInfer, stickyKey: nil) != nil)
  }

  @Test func aFailedLiveAnswerIsNotCopied() async throws {
    let fixture = try await ShadowMirrorTests.Fixture(shadow: "slot = \"green\"")
    let mirror = fixture.mirror()
    defer { mirror.stop() }
    let snapshot = try #require(fixture.store.snapshot)
    let tap = PredictionTap(consumers: [mirror])
    let request = try Self.request(snapshot, slot: "blue")
    let failed = try #require(tap.ticket(for: request, stickyKey: nil))
    failed.served(.rows([]), .failed(message: "deadline exceeded", serverSide: true), latency: .seconds(1))
    // A later copy that runs marks the end: the worker runs copies in order.
    try fixture.serve([ShadowMirrorTests.grid[0]], through: mirror)
    let totals = try await ShadowMirrorTests.settle(mirror, count: 1)
    #expect(totals.compared == 1 && totals.errors == 0 && totals.dropped == 0)
  }

  @Test func inferenceProtocolTensorsAreComparedRowByRow() async throws {
    let fixture = try await ShadowMirrorTests.Fixture(shadow: "slot = \"green\"\nrecord = 1000")
    let mirror = fixture.mirror()
    defer { mirror.stop() }
    let snapshot = try #require(fixture.store.snapshot)
    let blue = try #require(snapshot.slot(named: "blue"))
    let rows = ShadowMirrorTests.grid
    let values = rows.flatMap { row in
      row.map { value -> Float in
        guard case .number(let number) = value else { return .nan }
        return Float(number)
      }
    }
    let input = try Tensor(shape: [rows.count, 4], storage: .float(values))
    let outputs = try blue.model.session.run([input])
    let tap = PredictionTap(consumers: [mirror])
    let request = try Self.request(snapshot, slot: "blue", endpoint: "infer")
    let ticket = try #require(tap.ticket(for: request, stickyKey: nil))
    ticket.served(.tensors([input]), .tensors(outputs), latency: .microseconds(80))
    let totals = try await ShadowMirrorTests.settle(mirror, count: 1)
    #expect(totals.compared == 1)
    #expect(totals.predictions == rows.count)
    // The same disagreements as the rows compared one by one.
    let expected = try ShadowMirrorTests.disagreeing(fixture)
    #expect(totals.disagreeing == expected.count)
  }
}
