import NIOCore
import NIOHTTP1
import NIOPosix

/// Adds the HTTP/1.1 REST handlers to a connection the sniffer decided is not HTTP/2:
/// `HTTP1InputMonitor`, NIO's request decoder (llhttp), and `HTTP1ConnectionHandler`, which
/// enforces the limits and timeouts and writes complete responses itself.
struct HTTP1Pipeline: Sendable {
  let router: RESTRouter
  let threadPool: NIOThreadPool
  let maxBodyBytes: Int
  let maxHeaderBytes: Int
  let idleTimeout: TimeAmount
  let requestTimeout: TimeAmount

  func configure(_ channel: any Channel) throws {
    let connection = HTTP1ConnectionHandler(
      router: router,
      threadPool: threadPool,
      configuration: HTTP1ConnectionStateMachine.Configuration(
        maxBodyBytes: maxBodyBytes,
        maxHeaderBytes: maxHeaderBytes,
        idleTimeout: idleTimeout,
        requestTimeout: requestTimeout
      )
    )
    // A client that sends its requests and then closes its side still reads the answers.
    try channel.syncOptions?.setOption(.allowRemoteHalfClosure, value: true)
    let operations = channel.pipeline.syncOperations
    try operations.addHandler(HTTP1InputMonitor(connection: connection))
    try operations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
    try operations.addHandler(connection)
  }
}
