import NIOCore
import NIOHTTP1
import NIOPosix

/// Adds the HTTP/1.1 REST handlers to a connection the sniffer decided is not HTTP/2: NIO's
/// request decoder (llhttp), the idle timeout, and `HTTP1ConnectionHandler`, which writes
/// complete responses itself.
struct HTTP1Pipeline: Sendable {
  let router: RESTRouter
  let threadPool: NIOThreadPool
  let maxBodyBytes: Int
  let maxHeaderBytes: Int
  let idleTimeout: TimeAmount

  func configure(_ channel: any Channel) throws {
    let operations = channel.pipeline.syncOperations
    try operations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
    try operations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
    try operations.addHandler(
      HTTP1ConnectionHandler(
        router: router,
        threadPool: threadPool,
        maxBodyBytes: maxBodyBytes,
        maxHeaderBytes: maxHeaderBytes
      )
    )
  }
}
