import Testing

@testable import HotswapSystem

/// A file system described by a table: every path not listed is missing; `/` is a directory.
struct TableFileSystem: FileSystemProbe {
  let entries: [String: FileKind]

  func kind(of path: String) -> FileKind {
    path == "/" ? .directory : entries[path] ?? .missing
  }
}

@Suite("SymlinkChain: which entries a path depends on")
struct SymlinkChainTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    let path: String
    let entries: [String: FileKind]
    let interests: [String]
    let resolved: String?
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "plain file",
      path: "/c/active.toml",
      entries: ["/c": .directory, "/c/active.toml": .file],
      interests: ["/c/active.toml"],
      resolved: "/c/active.toml"
    ),
    Case(
      name: "Kubernetes ConfigMap layout",
      path: "/c/active.toml",
      entries: [
        "/c": .directory,
        "/c/active.toml": .symlink(target: "..data/active.toml"),
        "/c/..data": .symlink(target: "..2026_11_21_12_00_00.123"),
        "/c/..2026_11_21_12_00_00.123": .directory,
        "/c/..2026_11_21_12_00_00.123/active.toml": .file,
      ],
      interests: ["/c/active.toml", "/c/..data", "/c/..2026_11_21_12_00_00.123/active.toml"],
      resolved: "/c/..2026_11_21_12_00_00.123/active.toml"
    ),
    Case(
      name: "missing file ends the chain at the file",
      path: "/c/active.toml",
      entries: ["/c": .directory],
      interests: ["/c/active.toml"],
      resolved: nil
    ),
    Case(
      name: "missing directory ends the chain at the directory, watched from its parent",
      path: "/srv/c/active.toml",
      entries: ["/srv": .directory],
      interests: ["/srv/c"],
      resolved: nil
    ),
    Case(
      name: "absolute symlinked directory (release symlink)",
      path: "/srv/current/active.toml",
      entries: [
        "/srv": .directory,
        "/srv/current": .symlink(target: "/data/releases/7"),
        "/data": .directory,
        "/data/releases": .directory,
        "/data/releases/7": .directory,
        "/data/releases/7/active.toml": .file,
      ],
      interests: ["/srv/current", "/data/releases/7/active.toml"],
      resolved: "/data/releases/7/active.toml"
    ),
    Case(
      name: "dot and dot-dot components",
      path: "/c/./sub/../active.toml",
      entries: ["/c": .directory, "/c/sub": .directory, "/c/active.toml": .file],
      interests: ["/c/active.toml"],
      resolved: "/c/active.toml"
    ),
    Case(
      name: "relative symlink with dot-dot",
      path: "/m/current/model.onnx",
      entries: [
        "/m": .directory,
        "/m/current": .symlink(target: "../models/v2"),
        "/models": .directory,
        "/models/v2": .directory,
        "/models/v2/model.onnx": .file,
      ],
      interests: ["/m/current", "/models/v2/model.onnx"],
      resolved: "/models/v2/model.onnx"
    ),
    Case(
      name: "a file used as a directory",
      path: "/c/active.toml/x",
      entries: ["/c": .directory, "/c/active.toml": .file],
      interests: ["/c/active.toml"],
      resolved: nil
    ),
  ]

  @Test("resolution records each symlink hop and the final entry", arguments: cases)
  func resolve(_ testCase: Case) {
    let chain = SymlinkChain.resolve(testCase.path, probe: TableFileSystem(entries: testCase.entries))
    #expect(chain.interests.map(\.path) == testCase.interests)
    #expect(chain.resolvedPath == testCase.resolved)
  }

  @Test("a symlink loop stops after the kernel's limit")
  func symlinkLoop() {
    let entries: [String: FileKind] = [
      "/c": .directory, "/c/a": .symlink(target: "b"), "/c/b": .symlink(target: "a"),
    ]
    let chain = SymlinkChain.resolve("/c/a", probe: TableFileSystem(entries: entries))
    #expect(chain.resolvedPath == nil)
    #expect(chain.interests.count == SymlinkChain.maximumSymlinks + 1)
  }

  @Test("the directories to watch are those of the entries")
  func directories() {
    let chain = SymlinkChain(
      interests: [
        WatchInterest(directory: "/c", name: "active.toml"), WatchInterest(directory: "/c", name: "..data"),
        WatchInterest(directory: "/c/..x", name: "active.toml"),
      ],
      resolvedPath: "/c/..x/active.toml"
    )
    #expect(chain.directories == ["/c", "/c/..x"])
    #expect(WatchInterest(directory: "/", name: "etc").path == "/etc")
  }
}
