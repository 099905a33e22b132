import Dispatch
import FoundationEssentials
import Synchronization
import SystemPackage

/// The append-only history of plan changes: one JSON object per line in `history.jsonl` in the
/// state directory, rotated by size to `history.jsonl.1` so it stays bounded. `hotswap history`
/// prints it; `hotswap rollback` returns to the config text of the applied change before the
/// current one.
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
  /// The previous history file, kept after a rotation.
  public let rotatedPath: String
  /// The size past which the history file is rotated: renamed to ``rotatedPath`` (replacing the
  /// one before) and started afresh. The trail thus takes at most about twice this on disk.
  public let maxFileBytes: Int
  private let lock = Mutex(())
  /// Writes recorded changes in order, off the caller's thread: each ends with an `fsync`, which
  /// can take tens of milliseconds on a busy disk and must not hold up the next plan change.
  private let writes = DispatchQueue(label: "hotswap.audit-trail")

  /// The default ``maxFileBytes``: 4 MiB, room for hundreds of changes of a typical config (an
  /// applied entry carries the config text) and at least four of the largest config allowed.
  public static let defaultMaxFileBytes = 4 << 20
  /// The longest `reason` kept in an entry; a longer one is cut with a note of how much was left.
  public static let maxReasonBytes = 4096

  /// Uses `directory/history.jsonl`, creating the directory if needed.
  public init(directory: String, maxFileBytes: Int = AuditTrail.defaultMaxFileBytes) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    path = FilePath.appending("history.jsonl", to: directory)
    rotatedPath = path + ".1"
    self.maxFileBytes = maxFileBytes
  }

  /// Appends one entry in the background, in order with every other (see `flush()`). The config
  /// file's owner and mode are read there too (a user lookup reads /etc/passwd: not on the
  /// reconciler's path). Failures to write never reach the reload path.
  func record(_ draft: Draft) {
    writes.async { _ = self.writeLine(Self.entry(draft)) }
  }

  private static func entry(_ draft: Draft) -> Entry {
    let attributes = try? FileAttributes.of(path: draft.configPath)
    return Entry(
      time: ISO8601Time.string(from: draft.change.time, fractionalSeconds: false),
      generation: draft.change.generation,
      result: draft.result,
      reason: draft.reason.map(Self.bounded),
      trigger: draft.trigger.label,
      configPath: draft.configPath,
      configSHA256: draft.change.configSHA256,
      diff: draft.change.summary,
      owner: attributes?.owner,
      mode: attributes.map { String($0.permissions, radix: 8) },
      config: draft.config
    )
  }

  /// Returns once every recorded entry is written.
  public func flush() {
    writes.sync {}
  }

  /// Appends an entry as one line, after the entries recorded before it (see
  /// ``AtomicFile/append(_:to:mode:)``), rotating the file first when the line would take it past
  /// ``maxFileBytes``. A new file gets mode 0640.
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
      do throws(FileError) {
        if let size = try? FileAttributes.ofLink(path: path).size, size > 0, size + line.count > maxFileBytes
        {
          try AtomicFile.move(path, to: rotatedPath)
        }
        try AtomicFile.append([UInt8](line), to: path, mode: 0o640)
        // Encoding a large config's entry took as much again in buffers, now free: return them.
        if line.count >= 64 << 10 { HeapTrim.releaseFreeMemory() }
        return true
      } catch {
        return false
      }
    }
  }

  /// Every entry, oldest first (the rotated file's, then the current one's), including those still
  /// being written. Lines that do not parse (a torn last line) are skipped.
  public func entries() -> [Entry] {
    flush()
    let decoder = JSONDecoder()
    // A file holds at most maxFileBytes, or one entry that alone is larger (a config at its limit).
    let limit = maxFileBytes + (2 << 20)
    return [rotatedPath, path].flatMap { file -> [Entry] in
      guard let bytes = try? RegularFile.read(file, limit: limit) else { return [] }
      return bytes.split(separator: UInt8(ascii: "\n")).compactMap {
        try? decoder.decode(Entry.self, from: Data($0))
      }
    }
  }

  /// `reason` cut to ``maxReasonBytes`` on a character boundary, saying how much was left out.
  static func bounded(_ reason: String) -> String {
    let bytes = Array(reason.utf8)
    guard bytes.count > maxReasonBytes else { return reason }
    var end = maxReasonBytes
    while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }  // Not inside a UTF-8 sequence.
    return "\(String(decoding: bytes[..<end], as: UTF8.self))… (\(bytes.count - end) more bytes)"
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
