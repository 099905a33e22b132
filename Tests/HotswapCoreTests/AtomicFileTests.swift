import Foundation
import Testing

@testable import HotswapCore

@Suite("AtomicFile")
struct AtomicFileTests {
  private let manager = FileManager.default

  private func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
    let directory = manager.temporaryDirectory.appendingPathComponent("hotswap-atomic-\(UUID().uuidString)")
      .path
    try manager.createDirectory(atPath: directory, withIntermediateDirectories: false)
    defer { try? manager.removeItem(atPath: directory) }
    try body(directory)
  }

  private func mode(_ path: String) throws -> Int {
    try FileAttributes.of(path: path).permissions
  }

  @Test func createsAMissingFileWithTheModeAsked() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/active.toml"
      try AtomicFile.replace(path, with: Array("active = \"blue\"\n".utf8))
      #expect(try String(contentsOfFile: path, encoding: .utf8) == "active = \"blue\"\n")
      #expect(try mode(path) == 0o644)
      try AtomicFile.replace(directory + "/delivery.json", with: [0x7B, 0x7D], mode: 0o640)
      #expect(try mode(directory + "/delivery.json") == 0o640)
      let names = try manager.contentsOfDirectory(atPath: directory).sorted()
      #expect(names == ["active.toml", "delivery.json"])
    }
  }

  @Test func replacesContentKeepingModeAndLeavingNoTemporaryFile() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/active.toml"
      try "old text, longer than the new one\n".write(toFile: path, atomically: false, encoding: .utf8)
      try manager.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
      let before = try #require(manager.attributesOfItem(atPath: path)[.systemFileNumber] as? Int)
      try AtomicFile.replace(path, with: Array("new\n".utf8))
      #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
      #expect(try mode(path) == 0o640)
      #expect(try manager.contentsOfDirectory(atPath: directory) == ["active.toml"])
      // A rename, not an in-place write: the watcher sees a moved-to event and readers never see a mix.
      let after = try #require(manager.attributesOfItem(atPath: path)[.systemFileNumber] as? Int)
      #expect(before != after)
    }
  }

  @Test func refusesASymlinkUnlessToldToReplaceIt() throws {
    try withTemporaryDirectory { directory in
      let target = directory + "/real.toml"
      let link = directory + "/active.toml"
      try "real\n".write(toFile: target, atomically: false, encoding: .utf8)
      try manager.createSymbolicLink(atPath: link, withDestinationPath: "real.toml")
      let error = #expect(throws: FileError.self) {
        try AtomicFile.replace(link, with: Array("new\n".utf8))
      }
      let expected = "\(link): is a symlink (a Kubernetes ConfigMap or similar)"
      #expect(error?.description.hasPrefix(expected) == true)
      #expect(try String(contentsOfFile: target, encoding: .utf8) == "real\n")
      #expect(try manager.destinationOfSymbolicLink(atPath: link) == "real.toml")
      #expect(try manager.contentsOfDirectory(atPath: directory).sorted() == ["active.toml", "real.toml"])
      try AtomicFile.replace(link, with: Array("new\n".utf8), symlinks: .replace)
      #expect(try FileAttributes.ofLink(path: link).kind == .regular)
      #expect(try String(contentsOfFile: target, encoding: .utf8) == "real\n")
    }
  }

  @Test func reportsAMissingDirectoryWithTheCallAndErrno() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/missing/active.toml"
      let error = #expect(throws: FileError.self) {
        try AtomicFile.replace(path, with: Array("x\n".utf8))
      }
      #expect(error?.reason.contains("cannot create") == true)
      #expect(error?.reason.hasSuffix("No such file or directory (ENOENT)") == true)
      #expect(error?.errno == ENOENT)
    }
  }

  @Test func refusesADirectory() throws {
    try withTemporaryDirectory { directory in
      let error = #expect(throws: FileError.self) {
        try AtomicFile.replace(directory, with: Array("x\n".utf8))
      }
      #expect(error?.description == "\(directory): is a directory, not a regular file")
    }
  }

  @Test func appendsWholeRecordsCreatingTheFileWithItsMode() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/history.jsonl"
      let old = umask(0o077)
      defer { umask(old) }
      try AtomicFile.append(Array("one\n".utf8), to: path, mode: 0o640)
      try AtomicFile.append(Array("two\n".utf8), to: path, mode: 0o600)
      #expect(try String(contentsOfFile: path, encoding: .utf8) == "one\ntwo\n")
      #expect(try mode(path) == 0o640)
    }
  }

  @Test func appendingToAFIFOOrASymlinkFailsAtOnceWithoutBlocking() throws {
    try withTemporaryDirectory { directory in
      let fifo = directory + "/predictions.jsonl"
      #expect(mkfifo(fifo, 0o600) == 0)
      // No reader: a blocking open would wait forever.
      #expect(throws: FileError.self) { try AtomicFile.append(Array("x\n".utf8), to: fifo, durable: false) }
      let target = directory + "/target"
      _ = FileManager.default.createFile(atPath: target, contents: Data())
      let link = directory + "/link.jsonl"
      try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
      #expect(throws: FileError.self) { try AtomicFile.append(Array("x\n".utf8), to: link) }
      #expect(try Data(contentsOf: URL(fileURLWithPath: target)).isEmpty)
    }
  }

  @Test func moveReplacesTheDestination() throws {
    try withTemporaryDirectory { directory in
      try AtomicFile.append(Array("new\n".utf8), to: directory + "/a")
      try AtomicFile.append(Array("old\n".utf8), to: directory + "/b")
      try AtomicFile.move(directory + "/a", to: directory + "/b")
      #expect(try String(contentsOfFile: directory + "/b", encoding: .utf8) == "new\n")
      #expect(!manager.fileExists(atPath: directory + "/a"))
    }
  }
}
