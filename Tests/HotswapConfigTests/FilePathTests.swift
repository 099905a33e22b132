import HotswapConfig
import SystemPackage
import Testing

@Suite("Paths: swift-system's FilePath, resolved lexically, `..` kept")
struct FilePathTests {
  @Test func relativePathsResolveAgainstTheirDirectory() {
    #expect(
      FilePath.resolving("conf/active.toml", against: "/srv/hotswap") == "/srv/hotswap/conf/active.toml"
    )
    #expect(
      FilePath.resolving("./models//iris/./model.onnx", against: "/srv/conf/")
        == "/srv/conf/models/iris/model.onnx"
    )
    #expect(FilePath.resolving("/etc//hotswap/./a.toml", against: "/srv") == "/etc/hotswap/a.toml")
  }

  @Test func dotDotIsKeptBecauseASymlinkMayStandBeforeIt() {
    // /srv/conf may be a link (a ConfigMap's ..data): /srv/conf/.. is wherever the link points.
    #expect(
      FilePath.resolving("../models/iris/v1.0.0/model.onnx", against: "/srv/conf")
        == "/srv/conf/../models/iris/v1.0.0/model.onnx"
    )
    #expect(FilePath.resolving("a/../b", against: "/") == "/a/../b")
  }

  @Test func directoryAndAppending() {
    #expect(FilePath.directory(of: "/etc/hotswap/active.toml") == "/etc/hotswap")
    #expect(FilePath.directory(of: "/active.toml") == "/")
    #expect(FilePath.appending("history.jsonl", to: "/var/lib/hotswap") == "/var/lib/hotswap/history.jsonl")
    #expect(FilePath.appending("history.jsonl", to: "/var/lib/hotswap/") == "/var/lib/hotswap/history.jsonl")
    #expect(FilePath.absolute("/x/./y") == "/x/y")
    #expect(FilePath.absolute("conf/a.toml") == FilePath.currentDirectory() + "/conf/a.toml")
  }
}
