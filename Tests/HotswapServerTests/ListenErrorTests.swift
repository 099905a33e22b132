import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import HotswapServer

#if canImport(Glibc)
import Glibc
#endif

/// Listen failures name the failing call and its errno; the hints appear only where they apply.
@Suite("Listen errors")
struct ListenErrorTests {
  @Test(
    "messages",
    arguments: [
      (
        ListenError(address: "127.0.0.1:80", call: .bind, errno: EACCES, port: 80),
        "cannot listen on 127.0.0.1:80: bind failed: Permission denied (errno 13); ports below 1024 need privileges: "
          + "use a port ≥ 1024, socket activation (hotswap.socket), or grant CAP_NET_BIND_SERVICE"
      ),
      (
        ListenError(address: "127.0.0.1:8080", call: .bind, errno: EACCES, port: 8080),
        "cannot listen on 127.0.0.1:8080: bind failed: Permission denied (errno 13)"
      ),
      (
        ListenError(address: "127.0.0.1:8080", call: .bind, errno: EADDRINUSE, port: 8080),
        "cannot listen on 127.0.0.1:8080: bind failed: Address already in use (errno 98); another process has the "
          + "port (is another hotswap or nginx running? --listen HOST:PORT picks another)"
      ),
      (
        ListenError(address: "127.0.0.1:8080", call: .setsockopt, errno: EACCES, detail: "SO_REUSEADDR"),
        "cannot listen on 127.0.0.1:8080: setsockopt SO_REUSEADDR failed: Permission denied (errno 13)"
      ),
      (
        ListenError(address: "x:1", call: .resolve, errno: nil, detail: "unknown host"),
        "cannot listen on x:1: getaddrinfo failed: unknown host; use an IP address or a host name this machine resolves"
      ),
    ]
  )
  func messages(_ error: ListenError, _ text: String) {
    #expect(error.description == text)
  }

  @Test("binding a port in use names bind and EADDRINUSE")
  func portInUse() throws {
    let first = try ListenSocket.open(host: "127.0.0.1", port: 0, described: "first")
    defer { close(first) }
    let port = try #require(ListenSocket.boundPort(first))
    #expect(throws: ListenError(address: "second", call: .bind, errno: EADDRINUSE, port: port)) {
      _ = try ListenSocket.open(host: "127.0.0.1", port: port, described: "second")
    }
  }

  @Test("the backlog of a listening socket is read back from the kernel")
  func backlog() throws {
    let descriptor = try ListenSocket.open(host: "127.0.0.1", port: 0, described: "test")
    defer { close(descriptor) }
    #expect(ListenSocket.backlog(of: descriptor) == min(ListenSocket.backlog, Self.somaxconn()))
    #expect(listen(descriptor, 77) == 0)
    #expect(ListenSocket.backlog(of: descriptor) == 77)
  }

  @Test("an inherited socket keeps its backlog and reports its real address")
  func inheritedSocket() async throws {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    #expect(bound == 0)
    #expect(listen(descriptor, 321) == 0)
    let port = try #require(ListenSocket.boundPort(descriptor))
    try await GRPCTestServer.withBinding(.inheritedSocket(fileDescriptor: descriptor)) { server in
      #expect(server.port == port)
      #expect(server.environment.boundAddress.description == "127.0.0.1:\(port)")
      #expect(
        ListenSocket.backlog(of: descriptor) == min(321, Self.somaxconn()),
        "NIO's listen(fd, 128) undone"
      )
    }
  }

  static func somaxconn() -> Int32 {
    guard let text = try? String(contentsOfFile: "/proc/sys/net/core/somaxconn", encoding: .utf8),
      let value = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    else { return 4096 }
    return value
  }
}
