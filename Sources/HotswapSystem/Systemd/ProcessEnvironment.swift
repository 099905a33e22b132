#if canImport(Glibc)
import Glibc
#endif

/// Reads and clears variables of the live process environment (the I/O edge of the systemd code,
/// whose parsing takes plain dictionaries).
enum ProcessEnvironment {
  /// The current values of `names` that are set.
  static func values(of names: [String]) -> [String: String] {
    var result: [String: String] = [:]
    for name in names {
      if let value = getenv(name) { result[name] = String(cString: value) }
    }
    return result
  }

  /// Removes `names` from the environment so child processes do not inherit them.
  static func unset(_ names: [String]) {
    for name in names { unsetenv(name) }
  }
}
