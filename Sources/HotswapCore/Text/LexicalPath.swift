/// Path strings handled as text, the way `NSString`'s path methods handle them on Linux: no file
/// system access, symbolic links are never resolved, `~` is not expanded.
public enum LexicalPath {
  /// `path` with empty and `.` components dropped and each `..` removing the component before it
  /// (never climbing above `/`); no trailing slash. `/a//b/./c/../` → `/a/b`, `/..` → `/`.
  ///
  /// Meant for absolute paths. A relative path keeps its first component and every `..`
  /// (`./x/../y` → `./x/../y` minus the inner `.` parts), as `standardizingPath` does.
  public static func standardized(_ path: String) -> String {
    guard !path.isEmpty else { return path }
    let components = path.split(separator: "/", omittingEmptySubsequences: true)
    if path.hasPrefix("/") {
      var kept: [Substring] = []
      for component in components {
        switch component {
        case ".": continue
        case "..": _ = kept.popLast()
        default: kept.append(component)
        }
      }
      return "/" + kept.joined(separator: "/")
    }
    guard let first = components.first else { return path }
    let rest = components.dropFirst().filter { $0 != "." }
    return ([first] + rest).joined(separator: "/")
  }

  /// `path` if absolute, else `path` under `directory`, standardized (see ``standardized(_:)``).
  public static func absolute(_ path: String, in directory: String) -> String {
    standardized(path.hasPrefix("/") ? path : appending(path, to: directory))
  }

  /// `component` joined to `path` with one slash between them (`/a` + `b` → `/a/b`, `/` + `b` →
  /// `/b`); either side empty gives the other. Nothing else is normalized.
  public static func appending(_ component: String, to path: String) -> String {
    if component.isEmpty { return path }
    if path.isEmpty { return component }
    return path.hasSuffix("/") ? path + component : path + "/" + component
  }

  /// `path` without its last component, repeated slashes made single: `/a//b/c/` → `/a/b`,
  /// `/a` → `/`, `/` → `/`, `a` → ``.
  public static func deletingLastComponent(_ path: String) -> String {
    let trimmed = dropTrailingSlashes(path)
    guard let slash = trimmed.lastIndex(of: "/") else { return "" }
    let absolute = trimmed.hasPrefix("/")
    let parent = trimmed[..<slash].split(separator: "/").joined(separator: "/")
    return absolute ? "/" + parent : parent
  }

  /// The last component of `path`: `/a/b/` → `b`, `/` → `/`, `` → ``.
  public static func lastComponent(_ path: String) -> String {
    let trimmed = dropTrailingSlashes(path)
    if trimmed == "/" { return "/" }
    guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
    return String(trimmed[trimmed.index(after: slash)...])
  }

  /// `path` without trailing slashes, except that a lone `/` stays.
  private static func dropTrailingSlashes(_ path: some StringProtocol) -> Substring {
    var result = Substring(path)
    while result.count > 1, result.last == "/" { result.removeLast() }
    return result
  }
}
