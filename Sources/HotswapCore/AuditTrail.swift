import Dispatch
import FoundationEssentials
import OnnxInference
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The append-only history of plan changes: one JSON object per line in `history.jsonl` in the
/// state directory. `hotswap history` prints it; `hotswap rollback` returns to the config text of
/// the applied change before the current one.
public final class AuditTrail: Sendable {
  /// Whether a change was applied.
  public enum Result: String, Sendable, Codable {
    case applied
    case rejected
  }

  /// One line of the history.
  public struct Entry: Sendable, Codable, Equatable {
    /// When, as ISO 8601.
    public var time: String
    /// Generation after the change (applied) or still serving (rejected).
    public var generation: UInt64
    /// Applied or rejected.
    public var result: Result
    /// Why it was rejected.
    public var reason: String?
    /// What set it off (`startup`, `config-changed`, `sighup`, `model-changed`, …).
    public var trigger: String
    /// The config file.
    public var configPath: String
    /// SHA-256 of the config content read.
    public var configSHA256: String
    /// One-line diff of the plan.
    public var diff: String
    /// The config file's owner (`user:group`) and mode (octal) when read.
    public var owner: String?
    /// The config file's permission bits, octal.
    public var mode: String?
    /// The full config text of an applied change, for rollback.
    public var config: String?

    enum CodingKeys: String, CodingKey {
      case time, generation, result, reason, trigger, diff, owner, mode, config
      case configPath = "config_path"
      case configSHA256 = "config_sha256"
    }
  }

  /// The history file.
  public let path: String
  private let lock = Mutex(())
  /// Writes recorded changes in order, off the caller's thread: each ends with an `fsync`, which
  /// can take tens of milliseconds on a busy disk and must not hold up the next plan change.
  private let writes = DispatchQueue(label: "hotswap.audit-trail")

  /// Uses `directory/history.jsonl`, creating the directory if needed.
  public init(directory: String) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    path = LexicalPath.appending("history.jsonl", to: directory)
  }

  /// Appends one entry in the background, in order with every other (see `flush()`). The config
  /// file's owner and mode are read now. Failures to write never reach the reload path.
  func record(_ draft: Draft) {
    let attributes = try? FileManager.default.attributesOfItem(atPath: draft.configPath)
    var owner: String? = nil
    if let user = attributes?[.ownerAccountName] as? String {
      owner = user + ":" + ((attributes?[.groupOwnerAccountName] as? String) ?? "?")
    }
    let mode = attributes?.integer(.posixPermissions).map { String($0, radix: 8) }
    let entry = Entry(
      time: ISO8601Time.string(from: draft.change.time, fractionalSeconds: false),
      generation: draft.change.generation,
      result: draft.result,
      reason: draft.reason,
      trigger: draft.trigger.label,
      configPath: draft.configPath,
      configSHA256: draft.change.configSHA256,
      diff: draft.change.summary,
      owner: owner,
      mode: mode,
      config: draft.config
    )
    writes.async { _ = self.writeLine(entry) }
  }

  /// Returns once every recorded entry is written.
  public func flush() {
    writes.sync {}
  }

  /// Appends an entry as one line, after the entries recorded before it: a single `write` to the
  /// file opened with `O_APPEND`, then `fsync`. A new file gets mode 0640.
  @discardableResult
  public func append(_ entry: Entry) -> Bool {
    writes.sync { writeLine(entry) }
  }

  private func writeLine(_ entry: Entry) -> Bool {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    guard var line = try? encoder.encode(entry) else { return false }
    line.append(UInt8(ascii: "\n"))
    return lock.withLock { _ in
      let descriptor = Self.openForAppending(path)
      guard descriptor >= 0 else { return false }
      defer { close(descriptor) }
      let written = line.withUnsafeBytes { bytes in
        var result: Int
        repeat {
          result = write(descriptor, bytes.baseAddress, bytes.count)
        } while result < 0 && errno == EINTR
        return result
      }
      return written == line.count && fsync(descriptor) == 0
    }
  }

  /// `path` opened to append, created with mode 0640 (whatever the umask) if it does not exist;
  /// -1 on failure.
  private static func openForAppending(_ path: String) -> CInt {
    let flags = O_WRONLY | O_APPEND | O_CLOEXEC
    while true {
      let existing = open(path, flags)
      if existing >= 0 || errno != ENOENT { return existing }
      let created = open(path, flags | O_CREAT | O_EXCL, 0o640)
      if created >= 0 {
        _ = fchmod(created, 0o640)
        return created
      }
      if errno != EEXIST { return -1 }
    }
  }

  /// Every entry, oldest first, including those still being written. Lines that do not parse (a
  /// torn last line) are skipped.
  public func entries() -> [Entry] {
    flush()
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    let decoder = JSONDecoder()
    return data.split(separator: UInt8(ascii: "\n")).compactMap {
      try? decoder.decode(Entry.self, from: Data($0))
    }
  }

  /// The config text to return to: the applied entry before the current one whose content
  /// differs from the current one.
  public func rollbackTarget() -> Entry? {
    let applied = entries().filter { $0.result == .applied && $0.config != nil }
    guard let current = applied.last else { return nil }
    return applied.dropLast().last { $0.configSHA256 != current.configSHA256 }
  }

  struct Draft {
    var change: DeploymentState.Change
    var result: Result
    var reason: String?
    var trigger: Reconciler.Trigger
    var configPath: String
    var config: String?
  }
}
