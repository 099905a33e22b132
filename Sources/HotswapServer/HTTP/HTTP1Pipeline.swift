import NIOCore
import NIOHTTP1
import NIOPosix

/// Adds the HTTP/1.1 REST handlers to a connection the sniffer decided is not HTTP/2.
struct HTTP1Pipeline: Sendable {
  let router: RESTRouter
  let threadPool: NIOThreadPool
  let maxBodyBytes: Int
  let maxHeaderBytes: Int
  let idleTimeout: TimeAmount

  func configure(_ channel: any Channel) throws {
    let operations = channel.pipeline.syncOperations
    try operations.addHandler(DrainEventTranslator(), position: .first)
    try operations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: false)
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
