import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import HotswapGRPCStubs
import HotswapProtos
import NIOCore
import NIOPosix
import Testing

/// Garbage on the wire: malformed protobuf, oversize messages, HTTP/2 that is not HTTP/2, bad
/// PredictionService input. Each gets the right status, and the server keeps serving.
@Suite("gRPC robustness")
struct GRPCRobustnessTests {
  /// Sends its bytes as they are.
  struct RawSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
  }

  /// Keeps the bytes it gets.
  struct RawDeserializer: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
      serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
  }

  static func predictStillWorks(_ server: GRPCTestServer) async throws {
    try await withGRPCClient(transport: try server.transport()) { client in
      var request = Hotswap_V1_PredictRequest()
      request.features = [5.1, 3.5, 1.4, 0.2]
      let response = try await Hotswap_V1_PredictionService.Client(wrapping: client).predict(request)
      #expect(response.prediction == 0)
    }
  }

  @Test(
    "malformed protobuf gets INVALID_ARGUMENT",
    arguments: [[0x0A, 0xFF, 0xFF, 0xFF, 0xFF], [0x2A, 0x05, 0x01], [0xFF]]
  )
  func malformedProtobuf(bytes: [UInt8]) async throws {
    try await GRPCTestServer.with { server in
      try await withGRPCClient(transport: try server.transport()) { client in
        let error = await #expect(throws: RPCError.self) {
          try await client.unary(
            request: ClientRequest(message: bytes),
            descriptor: MethodDescriptor(
              fullyQualifiedService: "inference.GRPCInferenceService",
              method: "ModelInfer"
            ),
            serializer: RawSerializer(),
            deserializer: RawDeserializer(),
            options: .defaults
          ) { try $0.message }
        }
        #expect(error?.code == .invalidArgument)
      }
      try await Self.predictStillWorks(server)
    }
  }

  @Test("a message over max_message_bytes gets RESOURCE_EXHAUSTED")
  func oversize() async throws {
    try await GRPCTestServer.with(server: "max_message_bytes = 4096") { server in
      try await withGRPCClient(transport: try server.transport()) { client in
        let stub = Inference_GRPCInferenceService.Client(wrapping: client)
        let rows = [[Float]](repeating: [5.1, 3.5, 1.4, 0.2], count: 512)
        let error = await #expect(throws: RPCError.self) {
          try await stub.modelInfer(GRPCInferenceServiceTests.inferRequest(rows: rows))
        }
        #expect(error?.code == .resourceExhausted)
        #expect(error?.message.contains("the limit is 4096 (max_message_bytes)") == true)
        let small = try await stub.modelInfer(
          GRPCInferenceServiceTests.inferRequest(rows: Array(rows.prefix(8)))
        )
        #expect(small.outputs.first?.shape == [8])
      }
    }
  }

  @Test("bad Predict input and unknown pins get clear errors")
  func predictErrors() async throws {
    try await GRPCTestServer.with { server in
      try await withGRPCClient(transport: try server.transport()) { client in
        let stub = Hotswap_V1_PredictionService.Client(wrapping: client)
        var request = Hotswap_V1_PredictRequest()
        request.features = [5.1, 3.5, 1.4]
        let short = await #expect(throws: RPCError.self) { try await stub.predict(request) }
        #expect(short?.code == .invalidArgument)
        #expect(short?.message.contains("'features' has 3 values") == true)
        request.features = [5.1, 3.5, 1.4, 0.2]
        let pinned = await #expect(throws: RPCError.self) {
          try await stub.predict(request, metadata: ["x-hotswap-slot": "purple"])
        }
        #expect(pinned?.code == .notFound)
        let health = try await stub.health(Hotswap_V1_HealthRequest(), metadata: ["x-hotswap-slot": "green"])
        #expect(health.status == "ok")
        #expect(health.modelVersion == "v1.1.0")
      }
    }
  }

  @Test("a client that opens HTTP/2 and sends garbage gets GOAWAY; the server keeps serving")
  func http2Garbage() async throws {
    try await GRPCTestServer.with { server in
      let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
      let garbage = Array("this is not an HTTP/2 frame, just text that goes on and on".utf8)
      let received = try await Self.exchange(port: server.port, bytes: preface + garbage)
      #expect(Self.frameTypes(received).contains(0x7), "expected a GOAWAY frame")
      try await Self.predictStillWorks(server)
    }
  }

  /// Writes `bytes`, then reads until the server closes (10 s at most).
  static func exchange(port: Int, bytes: [UInt8]) async throws -> [UInt8] {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .connect(host: "127.0.0.1", port: port) { channel in
        channel.eventLoop.makeCompletedFuture {
          try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
        }
      }
    return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
      group.addTask {
        try await channel.executeThenClose { inbound, outbound in
          try await outbound.write(ByteBuffer(bytes: bytes))
          var received: [UInt8] = []
          for try await chunk in inbound { received += chunk.readableBytesView }
          return received
        }
      }
      group.addTask {
        try await Task.sleep(for: .seconds(10))
        return nil
      }
      defer { group.cancelAll() }
      guard let first = try await group.next(), let received = first else {
        throw FixtureError("the server did not close the connection within 10 s")
      }
      return received
    }
  }

  /// The types of the HTTP/2 frames in `bytes`.
  static func frameTypes(_ bytes: [UInt8]) -> [UInt8] {
    var types: [UInt8] = []
    var offset = 0
    while offset + 9 <= bytes.count {
      let length = Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
      types.append(bytes[offset + 3])
      offset += 9 + length
    }
    return types
  }
}
