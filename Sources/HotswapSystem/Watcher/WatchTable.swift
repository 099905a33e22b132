/// Bookkeeping of the kernel watches: which directory each watch descriptor covers, and which
/// libinotifytools filename keys are unusable. Pure: no I/O.
///
/// libinotifytools indexes watches by the filename string they were added with, and it cannot
/// forget a watch the kernel dropped on its own (a deleted directory): removing it fails in
/// `inotify_rm_watch` and the stale entry keeps its filename. Adding the same directory again
/// under that string would be ignored by the library's index, so the table hands out an equivalent
/// spelling (`dir/./`, `dir/././`, …) that is not taken.
struct WatchTable: Equatable, Sendable {
  private(set) var descriptorByDirectory: [String: CInt] = [:]
  private(set) var directoriesByDescriptor: [CInt: Set<String>] = [:]
  private var keysByDescriptor: [CInt: [String]] = [:]
  private(set) var deadKeys: Set<String> = []

  /// The directories watched under `descriptor` (several only for bind-mounted aliases).
  func directories(for descriptor: CInt) -> Set<String> {
    directoriesByDescriptor[descriptor] ?? []
  }

  /// Every watched directory.
  var watchedDirectories: Set<String> { Set(descriptorByDirectory.keys) }

  /// The directories to add and the descriptors to remove so that exactly `needed` is watched.
  func plan(needed: Set<String>) -> (add: [String], remove: [CInt]) {
    let add = needed.subtracting(descriptorByDirectory.keys).sorted()
    let remove = directoriesByDescriptor.filter { $0.value.isDisjoint(with: needed) }.keys.sorted()
    return (add, remove)
  }

  /// A libinotifytools filename for `directory` that no live or stale library entry uses.
  func libraryKey(for directory: String) -> String {
    let base = directory == "/" ? "" : directory
    let live = Set(keysByDescriptor.values.joined())
    var variant = 0
    while true {
      let key = base + String(repeating: "/.", count: variant) + "/"
      if !deadKeys.contains(key) && !live.contains(key) { return key }
      variant += 1
    }
  }

  /// Records that `directory` is watched under `descriptor`, added with library key `key`.
  mutating func insert(directory: String, descriptor: CInt, key: String) {
    descriptorByDirectory[directory] = descriptor
    directoriesByDescriptor[descriptor, default: []].insert(directory)
    keysByDescriptor[descriptor, default: []].append(key)
  }

  /// Forgets `descriptor` after the watcher removed it. When the library's removal succeeded it
  /// dropped the entry of the first key; any other key (and all of them on failure) stays stale.
  mutating func removed(_ descriptor: CInt, librarySucceeded: Bool) {
    let keys = keysByDescriptor[descriptor] ?? []
    deadKeys.formUnion(librarySucceeded ? Array(keys.dropFirst()) : keys)
    forget(descriptor)
  }

  /// Forgets `descriptor` after the kernel dropped it (`IN_IGNORED`): every key it used is stale.
  mutating func died(_ descriptor: CInt) {
    deadKeys.formUnion(keysByDescriptor[descriptor] ?? [])
    forget(descriptor)
  }

  private mutating func forget(_ descriptor: CInt) {
    for directory in directoriesByDescriptor[descriptor] ?? [] {
      descriptorByDirectory[directory] = nil
    }
    directoriesByDescriptor[descriptor] = nil
    keysByDescriptor[descriptor] = nil
  }
}
