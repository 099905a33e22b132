import Foundation
import Testing

@testable import HotswapConfig

@Suite("ConfigEditor.writeAtomically")
struct AtomicWriteTests {
  private let manager = FileManager.default

  private func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
    let directory = manager.temporaryDirectory.appendingPathComponent("hotswap-config-\(UUID().uuidString)")
      .path
    try manager.createDirectory(atPath: directory, withIntermediateDirectories: false)
    defer { try? manager.removeItem(atPath: directory) }
    try body(directory)
  }

  private func mode(_ path: String) throws -> Int {
    try #require(manager.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
  }

  @Test func createsAMissingFileWithMode0644() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/active.toml"
      try ConfigEditor.writeAtomically("active = \"blue\"\n", to: path)
      #expect(try String(contentsOfFile: path, encoding: .utf8) == "active = \"blue\"\n")
      #expect(try mode(path) == 0o644)
      #expect(try manager.contentsOfDirectory(atPath: directory) == ["active.toml"])
    }
  }

  @Test func replacesContentKeepingModeAndLeavingNoTemporaryFile() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/active.toml"
      try "old text, longer than the new one\n".write(toFile: path, atomically: false, encoding: .utf8)
      try manager.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
      let before = try #require(manager.attributesOfItem(atPath: path)[.systemFileNumber] as? Int)
      try ConfigEditor.writeAtomically("new\n", to: path)
      #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
      #expect(try mode(path) == 0o640)
      #expect(try manager.contentsOfDirectory(atPath: directory) == ["active.toml"])
      // A rename, not an in-place write: the watcher sees a moved-to event and readers never see a mix.
      let after = try #require(manager.attributesOfItem(atPath: path)[.systemFileNumber] as? Int)
      #expect(before != after)
    }
  }

  @Test func refusesASymlink() throws {
    try withTemporaryDirectory { directory in
      let target = directory + "/real.toml"
      let link = directory + "/active.toml"
      try "real\n".write(toFile: target, atomically: false, encoding: .utf8)
      try manager.createSymbolicLink(atPath: link, withDestinationPath: "real.toml")
      #expect {
        try ConfigEditor.writeAtomically("new\n", to: link)
      } throws: { error in
        "\(error)".contains("\(link): refusing to replace a symlink")
      }
      #expect(try String(contentsOfFile: target, encoding: .utf8) == "real\n")
      #expect(try manager.destinationOfSymbolicLink(atPath: link) == "real.toml")
      #expect(try manager.contentsOfDirectory(atPath: directory).sorted() == ["active.toml", "real.toml"])
    }
  }

  @Test func reportsAMissingDirectory() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/missing/active.toml"
      #expect {
        try ConfigEditor.writeAtomically("x\n", to: path)
      } throws: { error in
        let description = "\(error)"
        return description.contains("cannot create") && description.contains("No such file or directory")
      }
    }
  }

  @Test func refusesADirectory() throws {
    try withTemporaryDirectory { directory in
      #expect {
        try ConfigEditor.writeAtomically("x\n", to: directory)
      } throws: { error in
        "\(error)" == "\(directory): not a regular file"
      }
    }
  }
}
