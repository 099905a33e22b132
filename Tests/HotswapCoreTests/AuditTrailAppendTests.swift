import Foundation
import Testing

@testable import HotswapCore

@Suite("AuditTrail: appending with write(2)")
struct AuditTrailAppendTests {
  @Test("a new history file gets mode 0640 and every entry is one line")
  func appendCreatesAndAppends() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "audit-\(UUID().uuidString)"
    )
    defer { try? FileManager.default.removeItem(at: directory) }
    let audit = try AuditTrail(directory: directory.path)
    #expect(audit.path == directory.path + "/history.jsonl")
    var entry = AuditTrail.Entry(
      time: "2025-03-04T05:06:07Z",
      generation: 1,
      result: .applied,
      trigger: "startup",
      configPath: "/etc/hotswap/active.toml",
      configSHA256: "abc",
      diff: "initial plan"
    )
    #expect(audit.append(entry))
    entry.generation = 2
    entry.result = .rejected
    entry.reason = "bad \"weight\"\nline two"
    #expect(audit.append(entry))
    let attributes = try FileManager.default.attributesOfItem(atPath: audit.path)
    #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o640)
    let text = try String(contentsOfFile: audit.path, encoding: .utf8)
    #expect(text.split(separator: "\n").count == 2)
    #expect(text.hasSuffix("\n"))
    #expect(audit.entries().map(\.generation) == [1, 2])
    #expect(audit.entries().last?.reason == "bad \"weight\"\nline two")
  }

  @Test("an unwritable history is reported, not thrown")
  func appendFailure() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "audit-\(UUID().uuidString)"
    )
    defer { try? FileManager.default.removeItem(at: directory) }
    let audit = try AuditTrail(directory: directory.path)
    try FileManager.default.createDirectory(atPath: audit.path, withIntermediateDirectories: true)
    let entry = AuditTrail.Entry(
      time: "t",
      generation: 1,
      result: .applied,
      trigger: "startup",
      configPath: "/c",
      configSHA256: "s",
      diff: "d"
    )
    #expect(!audit.append(entry))
  }

  @Test("a recorded change names the config file's owner and octal mode, and the time in whole seconds")
  func recordReadsFileAttributes() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "audit-\(UUID().uuidString)"
    )
    defer { try? FileManager.default.removeItem(at: directory) }
    let audit = try AuditTrail(directory: directory.path)
    let configPath = directory.appendingPathComponent("active.toml").path
    #expect(FileManager.default.createFile(atPath: configPath, contents: Data("x".utf8)))
    try FileManager.default.setAttributes([.posixPermissions: 0o604], ofItemAtPath: configPath)
    let change = DeploymentState.Change(
      time: Date(timeIntervalSince1970: 1_741_064_767.9996),
      generation: 4,
      summary: "blue 100%",
      configSHA256: "abc"
    )
    let draft = AuditTrail.Draft(
      change: change,
      result: .applied,
      reason: nil,
      trigger: .startup,
      configPath: configPath,
      config: "x"
    )
    audit.record(draft)  // written in the background; entries() waits for it
    let entry = try #require(audit.entries().last)
    #expect(entry.mode == "604")
    #expect(entry.owner?.contains(":") == true)
    #expect(entry.time == "2025-03-04T05:06:08Z")
  }
}

@Suite("ModelLoader: the size limit")
struct ModelLoaderLimitTests {
  @Test("a file over the limit is refused with its size")
  func sizeLimit() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "model-\(UUID().uuidString).onnx"
    ).path
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 1, count: 64)))
    let error = #expect(throws: ModelLoadError.self) {
      try ModelLoader(maxFileBytes: 10).fingerprint(path: path)
    }
    #expect(error?.reason == "is 64 bytes; the limit is 10 bytes")
  }
}

@Suite("AuditTrail: bounded by size")
struct AuditTrailRotationTests {
  static func entry(_ generation: UInt64, config: String?) -> AuditTrail.Entry {
    AuditTrail.Entry(
      time: "2025-03-04T05:06:07Z",
      generation: generation,
      result: config == nil ? .rejected : .applied,
      reason: config == nil ? String(repeating: "r", count: 10_000) : nil,
      trigger: "config-changed",
      configPath: "/c",
      configSHA256: "sha\(generation)",
      diff: "d",
      config: config
    )
  }

  @Test("the file rotates past its size, one generation is kept, rollback still finds its target")
  func rotation() throws {
    let directory = NSTemporaryDirectory() + "audit-rotation-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let audit = try AuditTrail(directory: directory, maxFileBytes: 4096)
    for generation in 1...200 {
      #expect(audit.append(Self.entry(UInt64(generation), config: String(repeating: "c", count: 300))))
    }
    let size = try FileAttributes.of(path: audit.path).size
    let rotated = try FileAttributes.of(path: audit.rotatedPath).size
    #expect(size <= 4096)
    #expect(rotated <= 4096)
    let entries = audit.entries()
    #expect(entries.last?.generation == 200)
    #expect(entries.map(\.generation) == Array(entries.first!.generation...200))
    #expect(audit.rollbackTarget()?.generation == 199)
  }

  @Test("a long reason is cut, saying how much was left out")
  func longReason() {
    let cut = AuditTrail.bounded(String(repeating: "é", count: 5000))
    #expect(cut.utf8.count < AuditTrail.maxReasonBytes + 40)
    #expect(cut.hasSuffix("… (5904 more bytes)"))
  }
}
