/// One directory entry whose changes matter: `name` inside the (symlink-free) `directory`.
struct WatchInterest: Hashable, Sendable, CustomStringConvertible {
  /// An absolute directory path without symlinks, `/` for the root.
  var directory: String
  /// A single path component inside `directory`.
  var name: String

  /// `directory/name`.
  var path: String { directory == "/" ? "/" + name : directory + "/" + name }

  var description: String { path }
}
