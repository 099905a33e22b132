import GRPCCore
import GRPCNIOTransportHTTP2
import HotswapGRPCStubs
import HotswapProtos
import Testing

/// Per-request routing over ONE HTTP/2 connection: the exact 90/10 split over 10 000 Predicts,
/// and after the file is saved with green = 100, the very next request on that same connection
/// is served by green (nginx, which keeps old connections on old workers, cannot do this).
@Suite("One HTTP/2 connection")
struct OneHTTP2ConnectionTests {
  static let row: [Float] = [5.1, 3.5, 1.4, 0.2]

  @Test("10 000 Predicts at 90/10 split exactly; the next request after a save goes to green")
  func splitThenSwitchOnOneConnection() async throws {
    try await GRPCTestServer.with(traffic: "blue = 90\ngreen = 10") { server in
      try await withGRPCClient(transport: try server.transport()) { client in
        let stub = Hotswap_V1_PredictionService.Client(wrapping: client)
        var request = Hotswap_V1_PredictRequest()
        request.features = Self.row
        let counts = try await Self.predict(stub, request, times: 10_000, concurrency: 16)
        #expect(counts == ["blue": 9000, "green": 1000])
        #expect(server.server.openConnections == 1)

        try await server.apply(traffic: "blue = 0\ngreen = 100")
        let next = try await stub.predict(request)
        #expect(next.slot == "green")
        #expect(next.modelVersion == "v1.1.0")
        #expect(server.server.openConnections == 1)
        let after = try await Self.predict(stub, request, times: 100, concurrency: 4)
        #expect(after == ["green": 100])
      }
    }
  }

  @Test("every response carries its slot and version in initial and trailing metadata")
  func slotInMetadata() async throws {
    try await GRPCTestServer.with(traffic: "blue = 50\ngreen = 50") { server in
      try await withGRPCClient(transport: try server.transport()) { client in
        let stub = Hotswap_V1_PredictionService.Client(wrapping: client)
        var request = Hotswap_V1_PredictRequest()
        request.features = Self.row
        for _ in 0..<20 {
          let (message, initial, trailing) = try await stub.predict(request) { response in
            (try response.message, response.metadata, response.trailingMetadata)
          }
          #expect(Array(initial[stringValues: "x-hotswap-slot"]) == [message.slot])
          #expect(Array(trailing[stringValues: "x-hotswap-slot"]) == [message.slot])
          #expect(Array(trailing[stringValues: "x-model-version"]) == [message.modelVersion])
        }
      }
    }
  }

  static func predict(
    _ stub: Hotswap_V1_PredictionService.Client<HTTP2ClientTransport.Posix>,
    _ request: Hotswap_V1_PredictRequest,
    times: Int,
    concurrency: Int
  ) async throws -> [String: Int] {
    try await withThrowingTaskGroup(of: [String: Int].self) { group in
      for worker in 0..<concurrency {
        let share = times / concurrency + (worker < times % concurrency ? 1 : 0)
        group.addTask {
          var counts: [String: Int] = [:]
          for _ in 0..<share {
            let response = try await stub.predict(request)
            counts[response.slot, default: 0] += 1
          }
          return counts
        }
      }
      var total: [String: Int] = [:]
      for try await counts in group { total.merge(counts, uniquingKeysWith: +) }
      return total
    }
  }
}
