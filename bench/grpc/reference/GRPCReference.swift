import GRPCCore
import GRPCNIOTransportCore
import HotswapGRPCStubs
import HotswapProtos
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import SwiftProtobuf

#if canImport(Glibc)
import Glibc
#endif

// Reference servers for bench/grpc/bench_grpc.py: the cost of the gRPC stack itself, measured in
// the same run as hotswap. Both answer `hotswap.v1.PredictionService/Predict` on plaintext HTTP/2
// with no model behind it (the answer only echoes the feature count), so the difference to
// hotswap's gRPC numbers is hotswap's own work and the difference between the two is the stack.
//
//   grpc-reference grpc-swift PORT   grpc-swift-2 + grpc-swift-nio-transport, configured as hotswap
//                                    configures them (HTTP2ServerTransport.Custom, plain bootstrap)
//   grpc-reference nio-http2 PORT    swift-nio-http2 stream channels with one synchronous handler
//                                    per stream: what a unary path below grpc-swift-2 would cost

/// The answer both references give: decodes the request, answers with its feature count.
func referenceAnswer(_ request: Hotswap_V1_PredictRequest) -> Hotswap_V1_PredictResponse {
  var response = Hotswap_V1_PredictResponse()
  response.prediction = Int64(request.features.count)
  response.confidence = 1
  response.modelVersion = "reference"
  response.slot = "reference"
  return response
}

// MARK: grpc-swift-2

struct ReferenceListenerFactory: HTTP2ServerTransport.ListenerFactory {
  let eventLoopGroup: any EventLoopGroup
  let port: Int

  func makeListeningChannel(
    listenerConfigurator: HTTP2ServerTransport.ListenerConfigurator,
    connectionConfigurator: HTTP2ServerTransport.ConnectionConfigurator
  ) async throws -> NIOAsyncChannel<HTTP2ServerTransport.ConnectionConfigurator.ConnectionChannel, Never> {
    try await ServerBootstrap(group: eventLoopGroup)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .serverChannelInitializer { listenerConfigurator.configure(channel: $0) }
      .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
      .bind(host: "127.0.0.1", port: port) { channel in
        connectionConfigurator.configure(channel: channel, tls: .none)
      }
  }
}

struct ReferencePredictionService: Hotswap_V1_PredictionService.SimpleServiceProtocol {
  func health(
    request: Hotswap_V1_HealthRequest,
    context: ServerContext
  ) async throws -> Hotswap_V1_HealthResponse {
    var response = Hotswap_V1_HealthResponse()
    response.status = "ok"
    return response
  }

  func predict(
    request: Hotswap_V1_PredictRequest,
    context: ServerContext
  ) async throws -> Hotswap_V1_PredictResponse {
    referenceAnswer(request)
  }
}

func serveGRPCSwift(port: Int) async throws {
  let transport = HTTP2ServerTransport.Custom(
    listenerFactory: ReferenceListenerFactory(
      eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
      port: port
    ),
    config: .defaults
  )
  try await GRPCServer(transport: transport, services: [ReferencePredictionService()]).serve()
}

// MARK: swift-nio-http2

/// One unary gRPC call on one HTTP/2 stream, answered on the event loop: gathers the request,
/// decodes the single length-prefixed message and writes headers, the message and trailers.
final class ReferenceUnaryHandler: ChannelInboundHandler {
  typealias InboundIn = HTTP2Frame.FramePayload
  typealias OutboundOut = HTTP2Frame.FramePayload

  private var path = ""
  private var body = ByteBuffer()

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let endStream: Bool
    switch unwrapInboundIn(data) {
    case .headers(let headers):
      path = headers.headers.first(name: ":path") ?? ""
      endStream = headers.endStream
    case .data(let frame):
      if case .byteBuffer(var bytes) = frame.data { body.writeBuffer(&bytes) }
      endStream = frame.endStream
    default:
      endStream = false
    }
    if endStream { respond(context: context) }
  }

  private func respond(context: ChannelHandlerContext) {
    let status: (code: Int, message: String)
    var message: ByteBuffer?
    if path != "/hotswap.v1.PredictionService/Predict" {
      status = (12, "unknown method \(path)")
    } else if let length = body.getInteger(at: body.readerIndex + 1, as: UInt32.self),
      body.getInteger(at: body.readerIndex, as: UInt8.self) == 0,
      let bytes = body.getBytes(at: body.readerIndex + 5, length: Int(length)),
      let request = try? Hotswap_V1_PredictRequest(serializedBytes: bytes),
      let answer: [UInt8] = try? referenceAnswer(request).serializedBytes()
    {
      var framed = context.channel.allocator.buffer(capacity: answer.count + 5)
      framed.writeInteger(UInt8(0))
      framed.writeInteger(UInt32(answer.count))
      framed.writeBytes(answer)
      message = framed
      status = (0, "")
    } else {
      status = (3, "request is not one PredictRequest message")
    }
    let head: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]
    context.write(wrapOutboundOut(.headers(.init(headers: head))), promise: nil)
    if let message {
      context.write(wrapOutboundOut(.data(.init(data: .byteBuffer(message)))), promise: nil)
    }
    var trailers: HPACKHeaders = ["grpc-status": "\(status.code)"]
    if !status.message.isEmpty { trailers.add(name: "grpc-message", value: status.message) }
    context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: trailers, endStream: true))), promise: nil)
  }
}

func serveNIOHTTP2(port: Int) async throws {
  let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
      channel.eventLoop.makeCompletedFuture {
        _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
          mode: .server,
          connectionConfiguration: .init(),
          streamConfiguration: .init()
        ) { stream in
          stream.eventLoop.makeCompletedFuture {
            try stream.pipeline.syncOperations.addHandler(ReferenceUnaryHandler())
          }
        }
      }
    }
    .bind(host: "127.0.0.1", port: port).get()
  try await listener.closeFuture.get()
}

// MARK: main

let arguments = CommandLine.arguments
guard arguments.count == 3, let port = Int(arguments[2]), ["grpc-swift", "nio-http2"].contains(arguments[1])
else {
  let usage = "usage: grpc-reference grpc-swift|nio-http2 PORT\n"
  _ = usage.withCString { write(STDERR_FILENO, $0, strlen($0)) }
  exit(64)
}
if arguments[1] == "grpc-swift" {
  try await serveGRPCSwift(port: port)
} else {
  try await serveNIOHTTP2(port: port)
}
