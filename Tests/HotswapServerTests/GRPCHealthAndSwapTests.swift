import AsyncHTTPClient
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import HotswapGRPCStubs
import HotswapProtos
import NIOCore
import Synchronization
import Testing

/// grpc.health.v1 (Check and Watch), swaps under gRPC load, and gRPC and HTTP/1.1 clients on the
/// same port at the same time.
@Suite("gRPC health, swaps and the shared port")
struct GRPCHealthAndSwapTests {
  @Test("Check knows the server, the services, the model and the slots; unknown names are NOT_FOUND")
  func check() async throws {
    try await GRPCTestServer.with(traffic: "blue = 100\ngreen = 0") { server in
      try await withGRPCClient(transport: try server.transport()) { client in
        let stub = Grpc_Health_V1_Health.Client(wrapping: client)
        let expected: [(String, Grpc_Health_V1_HealthCheckResponse.ServingStatus)] = [
          ("", .serving), ("iris", .serving), ("inference.GRPCInferenceService", .serving),
          ("hotswap.v1.PredictionService", .serving), ("hotswap.slot.blue", .serving),
          ("hotswap.slot.green", .notServing),
        ]
        for (service, status) in expected {
          var request = Grpc_Health_V1_HealthCheckRequest()
          request.service = service
          let answer = try await stub.check(request)
          #expect(answer.status == status, "service '\(service)'")
        }
        var unknown = Grpc_Health_V1_HealthCheckRequest()
        unknown.service = "hotswap.slot.purple"
        let error = await #expect(throws: RPCError.self) { try await stub.check(unknown) }
        #expect(error?.code == .notFound)
      }
    }
  }

  @Test("Watch streams a standby slot's change to SERVING when the file gives it traffic")
  func watch() async throws {
    try await GRPCTestServer.with(traffic: "blue = 100\ngreen = 0") { server in
      try await withGRPCClient(transport: try server.transport()) { client in
        let stub = Grpc_Health_V1_Health.Client(wrapping: client)
        var request = Grpc_Health_V1_HealthCheckRequest()
        request.service = "hotswap.slot.green"
        let seen = try await stub.watch(request) { response in
          var seen: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
          for try await message in response.messages {
            seen.append(message.status)
            if seen.count == 1 { try await server.apply(traffic: "blue = 0\ngreen = 100") }
            if message.status == .serving { break }
          }
          return seen
        }
        #expect(seen == [.notServing, .serving])
        var unknown = Grpc_Health_V1_HealthCheckRequest()
        unknown.service = "nope"
        let first = try await stub.watch(unknown) {
          response -> Grpc_Health_V1_HealthCheckResponse.ServingStatus? in
          for try await message in response.messages { return message.status }
          return nil
        }
        #expect(first == .serviceUnknown)
      }
    }
  }

  @Test("200 swaps under gRPC load: zero failed RPCs, both slots serve")
  func swapsUnderLoad() async throws {
    try await GRPCTestServer.with(traffic: "blue = 100\ngreen = 0") { server in
      try await withGRPCClient(transport: try server.transport()) { client in
        let stub = Hotswap_V1_PredictionService.Client(wrapping: client)
        let request = Self.predictRequest([6.3, 2.5, 4.9, 1.5])
        let done = StopFlag()
        let results = try await withThrowingTaskGroup(of: (ok: Int, failed: Int, slots: Set<String>).self) {
          group in
          for _ in 0..<4 {
            group.addTask {
              var ok = 0
              var failed = 0
              var slots: Set<String> = []
              while !done.isSet {
                do {
                  slots.insert(try await stub.predict(request).slot)
                  ok += 1
                } catch {
                  failed += 1
                }
              }
              return (ok, failed, slots)
            }
          }
          var misrouted = 0
          for swap in 0..<200 {
            let green = swap.isMultiple(of: 2)
            try await server.apply(traffic: green ? "blue = 0\ngreen = 100" : "blue = 100\ngreen = 0")
            if try await stub.predict(request).slot != (green ? "green" : "blue") { misrouted += 1 }
          }
          #expect(misrouted == 0)
          done.set()
          var all: [(ok: Int, failed: Int, slots: Set<String>)] = []
          for try await result in group { all.append(result) }
          return all
        }
        #expect(results.map(\.failed).reduce(0, +) == 0)
        #expect(results.map(\.ok).reduce(0, +) > 0)
        #expect(results.reduce(into: Set<String>()) { $0.formUnion($1.slots) } == ["blue", "green"])
      }
    }
  }

  static func predictRequest(_ features: [Float]) -> Hotswap_V1_PredictRequest {
    var request = Hotswap_V1_PredictRequest()
    request.features = features
    return request
  }

  @Test("a grpc-swift-2 client and an HTTP/1.1 client use the same port at the same time")
  func sharedPort() async throws {
    try await GRPCTestServer.with { server in
      let http = HTTPClient(eventLoopGroupProvider: .singleton)
      do {
        try await withGRPCClient(transport: try server.transport()) { client in
          let stub = Hotswap_V1_PredictionService.Client(wrapping: client)
          let request = Self.predictRequest([6.5, 3.0, 5.8, 2.2])
          let port = server.port
          try await withThrowingTaskGroup(of: [Int64].self) { group in
            group.addTask {
              var labels: [Int64] = []
              for _ in 0..<200 { labels.append(try await stub.predict(request).prediction) }
              return labels
            }
            group.addTask {
              var labels: [Int64] = []
              for _ in 0..<200 {
                var rest = HTTPClientRequest(url: "http://127.0.0.1:\(port)/predict")
                rest.method = .POST
                rest.body = .bytes(ByteBuffer(string: #"{"features":[6.5,3.0,5.8,2.2]}"#))
                let response = try await http.execute(rest, timeout: .seconds(10))
                #expect(response.status == .ok)
                let body = try await response.body.collect(upTo: 1 << 16)
                let object =
                  try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
                labels.append((object?["prediction"] as? NSNumber)?.int64Value ?? -1)
              }
              return labels
            }
            for try await labels in group {
              #expect(labels == [Int64](repeating: 2, count: 200))
            }
          }
        }
      } catch {
        try await http.shutdown()
        throw error
      }
      try await http.shutdown()
    }
  }
}

/// A flag one task sets and others poll.
final class StopFlag: Sendable {
  private let value = Atomic<Bool>(false)

  /// Whether `set()` was called.
  var isSet: Bool { value.load(ordering: .relaxed) }

  /// Sets the flag.
  func set() { value.store(true, ordering: .relaxed) }
}
