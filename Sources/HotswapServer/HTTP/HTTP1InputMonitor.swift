import NIOCore

/// The first HTTP/1.1 handler, before the request decoder: tells the connection handler that raw
/// bytes arrived, so a request's `request_timeout` starts with its first byte even while its
/// head is incomplete (a client that sends its headers a byte a second), and drops everything
/// once the connection is closing, so the decoder never sees input no one will answer.
final class HTTP1InputMonitor: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = ByteBuffer

  private let connection: HTTP1ConnectionHandler

  init(connection: HTTP1ConnectionHandler) {
    self.connection = connection
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard connection.bytesArrived() else { return }
    context.fireChannelRead(data)
  }
}
