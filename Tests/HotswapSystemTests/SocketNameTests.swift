import Foundation
import Testing

@testable import HotswapSystem

@Suite("SocketName: the address systemd bound, compared with [server] listen")
struct SocketNameTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let bound: SocketName
    let configured: (host: String, port: Int)
    let agrees: Bool
    var testDescription: String { "\(bound) vs \(configured.host):\(configured.port)" }
  }

  static let cases: [Case] = [
    Case(bound: .init(host: "127.0.0.1", port: 8080), configured: ("127.0.0.1", 8080), agrees: true),
    Case(bound: .init(host: "127.0.0.1", port: 8080), configured: ("localhost", 8080), agrees: true),
    Case(bound: .init(host: "::1", port: 8080), configured: ("localhost", 8080), agrees: true),
    Case(bound: .init(host: "::", port: 8080), configured: ("0.0.0.0", 8080), agrees: true),
    Case(bound: .init(host: "0.0.0.0", port: 8080), configured: ("::", 8080), agrees: true),
    Case(bound: .init(host: "127.0.0.1", port: 8080), configured: ("::ffff:127.0.0.1", 8080), agrees: true),
    Case(bound: .init(host: "127.0.0.1", port: 8080), configured: ("127.0.0.1", 0), agrees: true),
    Case(bound: .init(host: "::1", port: 8080), configured: ("0:0:0:0:0:0:0:1", 8080), agrees: true),
    Case(bound: .init(host: "127.0.0.1", port: 8080), configured: ("edge-box.local", 8080), agrees: true),
    // Every interface bound, loopback configured, and the reverse: the operator must choose.
    Case(bound: .init(host: "::", port: 8080), configured: ("127.0.0.1", 8080), agrees: false),
    Case(bound: .init(host: "127.0.0.1", port: 8080), configured: ("0.0.0.0", 8080), agrees: false),
    Case(bound: .init(host: "127.0.0.1", port: 8080), configured: ("127.0.0.1", 9090), agrees: false),
    Case(bound: .init(host: "192.0.2.7", port: 8080), configured: ("localhost", 8080), agrees: false),
    Case(bound: .init(host: "127.0.0.1", port: 8080), configured: ("edge-box.local", 9090), agrees: false),
  ]

  @Test("agreement", arguments: cases)
  func agreement(_ testCase: Case) {
    #expect(
      testCase.bound.serves(host: testCase.configured.host, port: testCase.configured.port) == testCase.agrees
    )
  }

  @Test("getsockname of real IPv4 and IPv6 listeners")
  func boundAddressOfRealSockets() throws {
    for (family, loopback) in [(AF_INET, "127.0.0.1"), (AF_INET6, "::1")] {
      let descriptor = socket(family, Int32(SOCK_STREAM.rawValue), 0)
      try #require(descriptor >= 0)
      defer { close(descriptor) }
      let bound: Int32
      if family == AF_INET {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(loopback)
        bound = withUnsafePointer(to: &address) {
          $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
          }
        }
      } else {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_loopback
        bound = withUnsafePointer(to: &address) {
          $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
          }
        }
      }
      // A machine without IPv6 loopback cannot bind ::1; IPv4 must always work.
      if bound != 0, family == AF_INET6 { continue }
      try #require(bound == 0)
      let name = try #require(SocketName.bound(to: descriptor))
      #expect(name.host == loopback)
      #expect(name.port > 0)
      #expect(name.serves(host: loopback, port: name.port))
    }
  }

  @Test("a descriptor that is not a socket has no name")
  func notASocket() {
    #expect(SocketName.bound(to: -1) == nil)
  }

  @Test("IPv6 hosts print in brackets")
  func description() {
    #expect(SocketName(host: "::", port: 8080).description == "[::]:8080")
    #expect(SocketName(host: "127.0.0.1", port: 8080).description == "127.0.0.1:8080")
  }
}
