import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A real `hotswap serve` process on 127.0.0.1 with a config in its own temporary directory,
/// for end-to-end tests. Stopped (by PID) when the test ends.
///
/// The server runs as users run it: unprivileged. When the tests run as root (CI does), it runs as
/// `nobody` through `setpriv`, and its folder belongs to that user; the test itself (root, like an
/// operator) writes the config files, which stay world-readable.
final class HotswapProcess: @unchecked Sendable {
  /// The unprivileged user the server runs as when the tests run as root: `nobody`/`nogroup`, what
  /// systemd's `User=`, the image's `USER` and `runAsNonRoot` give the real deployments.
  static let serviceUser: (uid: uid_t, gid: gid_t) = (65534, 65534)

  /// `arguments` for `executable`, prefixed with `setpriv` to drop to ``serviceUser`` when running
  /// as root; unchanged otherwise.
  static func unprivileged(_ executable: URL, _ arguments: [String]) -> (URL, [String]) {
    guard geteuid() == 0 else { return (executable, arguments) }
    let drop = [
      "--reuid=\(serviceUser.uid)", "--regid=\(serviceUser.gid)", "--clear-groups", "--", executable.path,
    ]
    return (URL(fileURLWithPath: "/usr/bin/setpriv"), drop + arguments)
  }

  /// Gives `path` to ``serviceUser`` when running as root, as an operator hands a state directory
  /// to the service; a no-op otherwise.
  static func handToServiceUser(_ path: String) throws {
    guard geteuid() == 0 else { return }
    guard chown(path, serviceUser.uid, serviceUser.gid) == 0 else {
      throw TestFailure("chown \(path) to the service user: \(String(cString: strerror(errno)))")
    }
  }

  /// The repository's top folder.
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()

  /// Folder of the built executables: `$HOTSWAP_BIN_DIR`, else next to this test bundle.
  static var binDirectory: URL {
    if let fromEnvironment = ProcessInfo.processInfo.environment["HOTSWAP_BIN_DIR"] {
      return URL(fileURLWithPath: fromEnvironment)
    }
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    while url.path != "/" {
      url.deleteLastPathComponent()
      if FileManager.default.fileExists(atPath: url.appendingPathComponent("hotswap").path) { return url }
    }
    return repository.appendingPathComponent(".build/debug")
  }

  /// Absolute path of a bundled model, e.g. `iris/v1.0.0`.
  static func model(_ name: String) -> String {
    repository.appendingPathComponent("models/\(name)/model.onnx").path
  }

  /// The temporary folder holding `conf/` and the state directory.
  let directory: URL
  /// The config file.
  let configPath: String
  /// The port the server listens on.
  private(set) var port = 0
  private let process = Process()
  private let output = Pipe()
  private let collected = LogCollector()

  /// Writes `config` (the `[server]` section is added) and starts the server.
  init(config: String, extraArguments: [String] = []) async throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "hotswap-e2e-\(UUID().uuidString)"
    )
    let conf = directory.appendingPathComponent("conf")
    try FileManager.default.createDirectory(at: conf, withIntermediateDirectories: true)
    // The server creates its state directory here, as its own user.
    try Self.handToServiceUser(directory.path)
    configPath = conf.appendingPathComponent("active.toml").path
    try Self.serverSection(config).write(toFile: configPath, atomically: true, encoding: .utf8)
    let (executable, arguments) = Self.unprivileged(
      Self.binDirectory.appendingPathComponent("hotswap"),
      ["serve", "--config", configPath, "--listen", "127.0.0.1:0"] + extraArguments
    )
    process.executableURL = executable
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["HOTSWAP_STATE_DIRECTORY"] = directory.appendingPathComponent("state").path
    environment.removeValue(forKey: "NOTIFY_SOCKET")
    environment.removeValue(forKey: "LISTEN_FDS")
    process.environment = environment
    process.standardOutput = output
    process.standardError = output
    let collected = self.collected
    output.fileHandleForReading.readabilityHandler = { handle in
      let data = handle.availableData
      if !data.isEmpty { collected.append(data) }
    }
    try process.run()
    port = try await waitForPort()
  }

  deinit {
    if process.isRunning { process.terminate() }
    try? FileManager.default.removeItem(at: directory)
  }

  /// Adds a `[server]` section unless the config has one.
  static func serverSection(_ config: String) -> String {
    config.contains("[server]")
      ? config : "[server]\nlisten = \"127.0.0.1:0\"\nmodel_name = \"iris\"\n\n" + config
  }

  /// Everything the process printed so far.
  var log: String { collected.text }

  /// Stops the server with SIGTERM and waits; returns its exit status.
  @discardableResult
  func stop() async -> Int32 {
    if process.isRunning { process.terminate() }
    let deadline = ContinuousClock.now + .seconds(15)
    while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return process.terminationStatus
  }

  /// Sends a signal to the server process.
  func signal(_ number: Int32) {
    kill(process.processIdentifier, number)
  }

  /// Whether the process is still running.
  var isRunning: Bool { process.isRunning }

  /// Waits until the log contains `text` (after `from` characters), or fails after `timeout`.
  func waitForLog(_ text: String, after offset: Int = 0, timeout: Duration = .seconds(10)) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      let current = log
      if current.count > offset, current.dropFirst(offset).contains(text) { return }
      try await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("timed out waiting for '\(text)' in the server log:\n\(log)")
    throw TestFailure("log line not seen: \(text)")
  }

  private func waitForPort() async throws -> Int {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
      if let range = log.range(of: "listen.port=") {
        let digits = log[range.upperBound...].prefix { $0.isNumber }
        if let port = Int(digits) { return port }
      }
      if !process.isRunning { throw TestFailure("hotswap exited before listening:\n\(log)") }
      try await Task.sleep(for: .milliseconds(5))
    }
    throw TestFailure("hotswap did not start listening within 30 s:\n\(log)")
  }

  /// `http://127.0.0.1:PORT` + path.
  func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }
}

/// Collects a process's output from the pipe's reader thread.
final class LogCollector: @unchecked Sendable {
  private let lock = NSLock()
  private var data = Data()

  func append(_ more: Data) {
    lock.lock()
    data.append(more)
    lock.unlock()
  }

  var text: String {
    lock.lock()
    defer { lock.unlock() }
    return String(decoding: data, as: UTF8.self)
  }
}

/// A test precondition that did not hold.
struct TestFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
