/// The directory entries a path depends on: every symlink it resolves through and its final entry.
///
/// For a Kubernetes ConfigMap volume, `conf/active.toml -> ..data/active.toml` and
/// `..data -> ..2026_11_21_12_00_00.123`, the chain is `conf/active.toml`, `conf/..data` and
/// `conf/..2026_11_21_12_00_00.123/active.toml`: replacing `..data` or editing the file in the
/// timestamped directory both touch an entry of the chain. A missing component ends the chain at that
/// component, so watching its (existing) parent sees it appear.
struct SymlinkChain: Equatable, Sendable {
  /// The entries, in resolution order; the last is the final entry (or the first missing one).
  var interests: [WatchInterest]
  /// The symlink-free path the chain ends at, or `nil` when a component is missing, not a
  /// directory, or the chain loops.
  var resolvedPath: String?

  /// The directories that must be watched to see every entry of the chain change.
  var directories: Set<String> { Set(interests.map(\.directory)) }

  /// The most symlinks followed before giving up, as the kernel's `ELOOP` limit.
  static let maximumSymlinks = 40

  /// Resolves `absolutePath` one component at a time, recording each symlink hop.
  static func resolve(_ absolutePath: String, probe: some FileSystemProbe) -> SymlinkChain {
    var remaining = Self.components(of: absolutePath)[...]
    var resolved: [String] = []
    var interests: [WatchInterest] = []
    var symlinks = 0
    while let component = remaining.popFirst() {
      if component == "." { continue }
      if component == ".." {
        _ = resolved.popLast()
        continue
      }
      let entry = WatchInterest(directory: Self.path(of: resolved), name: component)
      let isLast = remaining.isEmpty
      switch probe.kind(of: entry.path) {
      case .symlink(let target):
        interests.append(entry)
        symlinks += 1
        guard symlinks <= maximumSymlinks else {
          return SymlinkChain(interests: interests, resolvedPath: nil)
        }
        if target.hasPrefix("/") { resolved.removeAll() }
        remaining = (Self.components(of: target) + remaining)[...]
      case .missing:
        interests.append(entry)
        return SymlinkChain(interests: interests, resolvedPath: nil)
      case .directory:
        if isLast { interests.append(entry) }
        resolved.append(component)
      case .file:
        interests.append(entry)
        guard isLast else { return SymlinkChain(interests: interests, resolvedPath: nil) }
        resolved.append(component)
      }
    }
    return SymlinkChain(interests: interests, resolvedPath: Self.path(of: resolved))
  }

  private static func components(of path: String) -> [String] {
    path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
  }

  private static func path(of components: [String]) -> String {
    "/" + components.joined(separator: "/")
  }
}
