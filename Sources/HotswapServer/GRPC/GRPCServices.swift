import NIOCore
import SwiftProtobuf

/// The gRPC services on the port — the seed's `hotswap.v1.PredictionService`, the Open Inference
/// Protocol's `inference.GRPCInferenceService` and `grpc.health.v1.Health` — as one dispatch from
/// a checked request head and its message to the answer. Shared by every connection.
struct GRPCServices: Sendable {
  let prediction: PredictionServiceHandler
  let inference: InferenceServiceHandler
  let health: HealthServiceHandler

  init(environment: ServingEnvironment) {
    prediction = PredictionServiceHandler(environment: environment)
    inference = InferenceServiceHandler(environment: environment)
    health = HealthServiceHandler(environment: environment)
  }

  /// Answers a call of `head.method` carrying `message` (the payload, without its prefix).
  func answer(_ head: GRPCRequestHead, message: ByteBuffer) -> GRPCAnswer {
    switch head.method {
    case .predictionHealth: .reply(prediction.health(head, message))
    case .predict: .reply(prediction.predict(head, message))
    case .serverLive: .reply(inference.serverLive(message))
    case .serverReady: .reply(inference.serverReady(message))
    case .modelReady: .reply(inference.modelReady(head, message))
    case .serverMetadata: .reply(inference.serverMetadata(message))
    case .modelMetadata: .reply(inference.modelMetadata(head, message))
    case .modelInfer: inference.modelInfer(head, message)
    case .healthCheck: .reply(health.check(message))
    case .healthWatch: health.watch(message)
    }
  }
}

/// Decoding and encoding of the services' protobuf messages, with the errors a client sees.
enum GRPCCodec {
  /// Decodes a request message; INVALID_ARGUMENT naming the message type if it is not one.
  static func decode<M: SwiftProtobuf.Message>(_ type: M.Type, _ bytes: ByteBuffer) throws(GRPCStatus) -> M {
    do {
      return try M(serializedBytes: ProtobufBytes(bytes))
    } catch {
      throw GRPCStatus(.invalidArgument, "the request is not a valid \(M.protoMessageName) message: \(error)")
    }
  }

  /// A reply carrying `message`; INTERNAL if it cannot be serialized (it always can).
  static func reply(_ message: some SwiftProtobuf.Message, metadata: [(String, String)] = []) -> GRPCReply {
    do {
      return GRPCReply(message: try ProtobufBytes.framed(message), metadata: metadata)
    } catch {
      return GRPCReply(
        GRPCStatus(.internal, "the response could not be encoded: \(error)"),
        metadata: metadata
      )
    }
  }

  /// The reply of `body`: its message, or its error status.
  static func answering(
    metadata: [(String, String)] = [],
    _ body: () throws(GRPCStatus) -> GRPCReply
  ) -> GRPCReply {
    do {
      return try body()
    } catch {
      return GRPCReply(error, metadata: metadata)
    }
  }
}
