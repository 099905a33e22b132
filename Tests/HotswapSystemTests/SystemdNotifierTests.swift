import Foundation
import Testing

@testable import HotswapSystem

/// A bound Unix datagram socket standing in for systemd's notification socket.
final class NotifySocketListener {
  let address: String
  private let descriptor: CInt

  /// Binds `address` (a path, or `@name` for the abstract namespace); receives time out after 5 s.
  init(address: String) throws {
    self.address = address
    descriptor = socket(AF_UNIX, CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0, let unixAddress = UnixSocketAddress(address) else {
      throw FileWrites.Failure(description: "cannot create a socket for \(address)")
    }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let status = unixAddress.withSocketAddress { bind(descriptor, $0, $1) }
    guard status == 0 else {
      close(descriptor)
      throw FileWrites.Failure(description: "bind \(address): \(String(cString: strerror(errno)))")
    }
  }

  /// The next datagram, or `nil` after the receive timeout.
  func receive() -> String? {
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
    guard count >= 0 else { return nil }
    return String(decoding: buffer[0..<count], as: UTF8.self)
  }

  deinit {
    close(descriptor)
    if !address.hasPrefix("@") { unlink(address) }
  }
}

@Suite("SystemdNotifier: the sd_notify protocol without libsystemd")
struct SystemdNotifierTests {
  struct MessageCase: Sendable, CustomTestStringConvertible {
    let name: String
    let message: String
    let expected: String
    var testDescription: String { name }
  }

  static let messages: [MessageCase] = [
    MessageCase(name: "ready", message: SystemdNotifyMessage.ready(status: nil), expected: "READY=1"),
    MessageCase(
      name: "ready with status",
      message: SystemdNotifyMessage.ready(status: "generation 3: blue 90 %, green 10 %"),
      expected: "READY=1\nSTATUS=generation 3: blue 90 %, green 10 %"
    ),
    MessageCase(
      name: "reloading",
      message: SystemdNotifyMessage.reloading(monotonicMicroseconds: 123_456, status: nil),
      expected: "RELOADING=1\nMONOTONIC_USEC=123456"
    ),
    MessageCase(
      name: "reloading with status",
      message: SystemdNotifyMessage.reloading(monotonicMicroseconds: 7, status: "re-reading"),
      expected: "RELOADING=1\nMONOTONIC_USEC=7\nSTATUS=re-reading"
    ),
    MessageCase(
      name: "stopping",
      message: SystemdNotifyMessage.stopping(status: "draining"),
      expected: "STOPPING=1\nSTATUS=draining"
    ),
    MessageCase(name: "status", message: SystemdNotifyMessage.status("ok"), expected: "STATUS=ok"),
    MessageCase(
      name: "a newline in a status cannot inject an assignment",
      message: SystemdNotifyMessage.status("bad\nREADY=1"),
      expected: "STATUS=bad READY=1"
    ),
    MessageCase(name: "watchdog", message: SystemdNotifyMessage.watchdog, expected: "WATCHDOG=1"),
  ]

  @Test("message text", arguments: messages)
  func messageText(_ testCase: MessageCase) {
    #expect(testCase.message == testCase.expected)
  }

  @Test("datagrams arrive exactly on a path socket")
  func pathSocket() throws {
    let directory = try TemporaryDirectory()
    let listener = try NotifySocketListener(address: directory.file("notify.sock"))
    try exerciseNotifier(SystemdNotifier(socketPath: listener.address), listener: listener)
  }

  @Test("datagrams arrive exactly on an abstract socket")
  func abstractSocket() throws {
    let listener = try NotifySocketListener(
      address: "@hotswap-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    )
    try exerciseNotifier(SystemdNotifier(socketPath: listener.address), listener: listener)
  }

  private func exerciseNotifier(_ notifier: SystemdNotifier, listener: NotifySocketListener) throws {
    notifier.ready(status: "generation 1: blue 100 %")
    #expect(listener.receive() == "READY=1\nSTATUS=generation 1: blue 100 %")

    let before = Self.monotonicMicroseconds()
    notifier.reloading(status: nil)
    let after = Self.monotonicMicroseconds()
    let reloading = try #require(listener.receive())
    let lines = reloading.split(separator: "\n")
    #expect(lines.count == 2)
    #expect(lines.first == "RELOADING=1")
    let stamp = try #require(lines.last.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) })
    #expect(lines.last?.hasPrefix("MONOTONIC_USEC=") == true)
    #expect(stamp >= before && stamp <= after)

    notifier.watchdog()
    #expect(listener.receive() == "WATCHDOG=1")
    notifier.status("generation 2: blue 90 %, green 10 %")
    #expect(listener.receive() == "STATUS=generation 2: blue 90 %, green 10 %")
    notifier.stopping(status: "draining")
    #expect(listener.receive() == "STOPPING=1\nSTATUS=draining")
    try notifier.send("EXTEND_TIMEOUT_USEC=5000000")
    #expect(listener.receive() == "EXTEND_TIMEOUT_USEC=5000000")
  }

  @Test("sending to nobody is an error naming the socket")
  func noListener() throws {
    let directory = try TemporaryDirectory()
    let notifier = SystemdNotifier(socketPath: directory.file("absent.sock"))
    let error = #expect(throws: SystemdNotifyError.self) { try notifier.send("READY=1") }
    #expect(error?.code == .sendFailed)
    #expect(error?.message.contains("absent.sock") == true)
  }

  @Test(
    "addresses that are not a path or @name are rejected",
    arguments: ["relative.sock", "@", "vsock:2:1234", "/" + String(repeating: "x", count: 200)]
  )
  func invalidAddress(address: String) {
    let error = #expect(throws: SystemdNotifyError.self) {
      try SystemdNotifier(socketPath: address).send("READY=1")
    }
    #expect(error?.code == .invalidAddress)
  }

  @Test("NOTIFY_SOCKET selects the socket; unset or empty means no notifier")
  func fromEnvironment() {
    #expect(SystemdNotifier.fromEnvironment([:])?.socketPath == nil)
    #expect(SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": ""])?.socketPath == nil)
    #expect(
      SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": "/run/systemd/notify"])?.socketPath
        == "/run/systemd/notify"
    )
    #expect(SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": "@abstract"])?.socketPath == "@abstract")
  }

  struct WatchdogCase: Sendable, CustomTestStringConvertible {
    let environment: [String: String]
    let expected: Duration?
    var testDescription: String { "\(environment)" }
  }

  static let watchdogCases: [WatchdogCase] = [
    WatchdogCase(environment: [:], expected: nil),
    WatchdogCase(environment: ["WATCHDOG_USEC": "30000000"], expected: .seconds(30)),
    WatchdogCase(
      environment: ["WATCHDOG_USEC": "500000", "WATCHDOG_PID": "42"],
      expected: .milliseconds(500)
    ),
    WatchdogCase(environment: ["WATCHDOG_USEC": "500000", "WATCHDOG_PID": "43"], expected: nil),
    WatchdogCase(environment: ["WATCHDOG_USEC": "500000", "WATCHDOG_PID": "x"], expected: nil),
    WatchdogCase(environment: ["WATCHDOG_USEC": "0"], expected: nil),
    WatchdogCase(environment: ["WATCHDOG_USEC": "-5"], expected: nil),
    WatchdogCase(environment: ["WATCHDOG_USEC": "soon"], expected: nil),
  ]

  @Test("watchdog interval from WATCHDOG_USEC and WATCHDOG_PID", arguments: watchdogCases)
  func watchdogInterval(_ testCase: WatchdogCase) {
    #expect(SystemdNotifier.watchdogInterval(environment: testCase.environment, pid: 42) == testCase.expected)
  }

  private static func monotonicMicroseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
  }
}
