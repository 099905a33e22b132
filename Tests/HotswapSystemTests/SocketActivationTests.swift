import Foundation
import Testing

@testable import HotswapSystem

@Suite("SocketActivation: parsing LISTEN_* variables")
struct SocketActivationParseTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let environment: [String: String]
    let expected: [InheritedSocket]
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(name: "not activated", environment: [:], expected: []),
    Case(
      name: "another process's sockets",
      environment: ["LISTEN_PID": "7", "LISTEN_FDS": "1"],
      expected: []
    ),
    Case(name: "LISTEN_FDS unset", environment: ["LISTEN_PID": "42"], expected: []),
    Case(name: "zero sockets", environment: ["LISTEN_PID": "42", "LISTEN_FDS": "0"], expected: []),
    Case(
      name: "one socket without names",
      environment: ["LISTEN_PID": "42", "LISTEN_FDS": "1"],
      expected: [InheritedSocket(fileDescriptor: 3, name: nil)]
    ),
    Case(
      name: "two named sockets",
      environment: ["LISTEN_PID": "42", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "http:metrics"],
      expected: [
        InheritedSocket(fileDescriptor: 3, name: "http"), InheritedSocket(fileDescriptor: 4, name: "metrics"),
      ]
    ),
    Case(
      name: "an empty name is nil",
      environment: ["LISTEN_PID": "42", "LISTEN_FDS": "2", "LISTEN_FDNAMES": ":metrics"],
      expected: [
        InheritedSocket(fileDescriptor: 3, name: nil), InheritedSocket(fileDescriptor: 4, name: "metrics"),
      ]
    ),
    Case(
      name: "names that do not match the count are ignored",
      environment: ["LISTEN_PID": "42", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "http"],
      expected: [
        InheritedSocket(fileDescriptor: 3, name: nil), InheritedSocket(fileDescriptor: 4, name: nil),
      ]
    ),
  ]

  @Test("well-formed variables", arguments: cases)
  func parse(_ testCase: Case) throws {
    #expect(try SocketActivation.parse(environment: testCase.environment, pid: 42) == testCase.expected)
  }

  @Test(
    "malformed variables are errors naming the variable",
    arguments: [
      ["LISTEN_PID": "me", "LISTEN_FDS": "1"],
      ["LISTEN_PID": "0", "LISTEN_FDS": "1"],
      ["LISTEN_PID": "42", "LISTEN_FDS": "two"],
      ["LISTEN_PID": "42", "LISTEN_FDS": "-1"],
      ["LISTEN_PID": "42", "LISTEN_FDS": "99999999999"],
    ]
  )
  func malformed(environment: [String: String]) {
    let error = #expect(throws: SocketActivationError.self) {
      try SocketActivation.parse(environment: environment, pid: 42)
    }
    #expect(error?.code == .malformedVariable)
    #expect(error?.message.contains("LISTEN_") == true)
  }
}

/// Touches the real process environment, so its tests run one at a time; only this suite sets
/// LISTEN_* variables.
@Suite("SocketActivation: live descriptors", .serialized)
struct SocketActivationLiveTests {
  /// Descriptors far above anything the test process uses, standing in for 3, 4, ….
  static let first: CInt = 900

  @Test("inherited sockets are taken, marked close-on-exec, and the variables unset")
  func takesSockets() throws {
    var pair: [CInt] = [-1, -1]
    #expect(socketpair(AF_UNIX, CInt(SOCK_STREAM.rawValue), 0, &pair) == 0)
    defer { pair.forEach { close($0) } }
    #expect(dup2(pair[0], Self.first) == Self.first)
    #expect(dup2(pair[1], Self.first + 1) == Self.first + 1)
    defer {
      close(Self.first)
      close(Self.first + 1)
    }
    setenv("LISTEN_PID", "\(getpid())", 1)
    setenv("LISTEN_FDS", "2", 1)
    setenv("LISTEN_FDNAMES", "http:grpc", 1)
    defer { ProcessEnvironment.unset(SocketActivation.variableNames) }

    let sockets = try SocketActivation.take(firstDescriptor: Self.first)
    #expect(
      sockets == [
        InheritedSocket(fileDescriptor: Self.first, name: "http"),
        InheritedSocket(fileDescriptor: Self.first + 1, name: "grpc"),
      ]
    )
    for socket in sockets {
      #expect(fcntl(socket.fileDescriptor, F_GETFD) & FD_CLOEXEC != 0)
    }
    #expect(ProcessEnvironment.values(of: SocketActivation.variableNames).isEmpty)
    #expect(try SocketActivation.take(firstDescriptor: Self.first).isEmpty)
  }

  @Test("an announced descriptor that is not open is an error")
  func descriptorNotOpen() {
    close(Self.first + 10)
    setenv("LISTEN_PID", "\(getpid())", 1)
    setenv("LISTEN_FDS", "1", 1)
    defer { ProcessEnvironment.unset(SocketActivation.variableNames) }
    let error = #expect(throws: SocketActivationError.self) {
      try SocketActivation.take(firstDescriptor: Self.first + 10)
    }
    #expect(error?.code == .descriptorNotOpen)
    #expect(ProcessEnvironment.values(of: SocketActivation.variableNames).isEmpty)
  }

  @Test("without LISTEN_* the public entry point finds nothing")
  func notActivated() {
    ProcessEnvironment.unset(SocketActivation.variableNames)
    #expect(SocketActivation.inheritedSockets().isEmpty)
  }
}
