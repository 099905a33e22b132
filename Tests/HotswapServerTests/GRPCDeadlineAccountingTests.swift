import HotswapCore
import HotswapProtos
import NIOCore
import Synchronization
import Testing

@testable import HotswapServer

/// A large ModelInfer runs on the thread pool with a ticket: dropped unstarted when abandoned
/// first, and counted as the slot's error when its deadline passed while the model ran.
@Suite("gRPC deadline accounting")
struct GRPCDeadlineAccountingTests {
  final class RecordingObserver: RequestObserver, Sendable {
    private let recorded = Mutex<[RequestObservation.Outcome]>([])
    var outcomes: [RequestObservation.Outcome] { recorded.withLock { $0 } }
    func observe(_ observation: RequestObservation) { recorded.withLock { $0.append(observation.outcome) } }
  }

  @Test("a model that ran past the deadline counts as a server error; one in time as a success")
  func deadlineCountsAsTheSlotsError() async throws {
    let observer = RecordingObserver()
    try await GRPCTestServer.withBinding(.address(host: "127.0.0.1", port: 0), observer: observer) { server in
      let services = GRPCServices(environment: server.environment)
      let head = try GRPCRequestHead.parse(
        GRPCWireTests.headers(path: "/inference.GRPCInferenceService/ModelInfer")
      )
      .get()
      let rows = [[Float]](repeating: [5.1, 3.5, 1.4, 0.2], count: 200)
      let bytes: [UInt8] = try GRPCInferenceServiceTests.inferRequest(rows: rows).serializedBytes()
      guard case .offload(let work) = services.answer(head, message: ByteBuffer(bytes: bytes)) else {
        Issue.record("200 rows were not sent to the thread pool")
        return
      }
      let late = GRPCWorkTicket()
      late.abandon(.deadline)
      _ = work(late)
      let inTime = work(GRPCWorkTicket())
      #expect(inTime.status == .ok)
      #expect(observer.outcomes == [.serverError, .success])
    }
  }

  @Test("the first reason a call is abandoned is kept")
  func firstReasonWins() {
    let ticket = GRPCWorkTicket()
    #expect(ticket.abandonment == .none)
    ticket.abandon(.cancelled)
    ticket.abandon(.deadline)
    #expect(ticket.abandonment == .cancelled)
  }
}
