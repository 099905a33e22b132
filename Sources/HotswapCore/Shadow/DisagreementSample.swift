import FoundationEssentials
import HotswapConfig
import Synchronization
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The latest disagreements (at most `[shadow] record`), in memory and in the state directory
/// (`shadow-disagreements.jsonl`, one JSON object per line, mode 0640): what `hotswap shadow
/// diffs` prints. Added to by the shadow worker; written out by ``flush()`` when it changed, off
/// the request path. Inputs may be sensitive, so nothing is kept unless `record` is set.
public final class DisagreementSample: Sendable {
  /// The longest input a record keeps, in values; longer inputs are cut and flagged.
  public static let inputLimit = 256

  private struct State {
    var lines: [Data] = []
    var next = 0
    var limit = 0
    var dirty = false
    var total = 0
  }

  /// The file, nil when there is no writable state directory.
  public let path: String?
  private let state = Mutex(State())

  /// A sample kept in `directory` (nil: in memory only).
  public init(directory: String?) {
    path = directory.map { FilePath.appending("shadow-disagreements.jsonl", to: $0) }
  }

  /// Starts a sample of at most `limit` records; `restore` keeps the file's records (the same
  /// shadow after a restart), else the file is emptied.
  public func begin(limit: Int, restore: Bool) {
    let kept = restore ? Self.read(path).suffix(limit) : []
    state.withLock { state in
      state.lines = Array(kept)
      state.next = state.lines.count % max(1, limit)
      state.limit = limit
      state.total = state.lines.count
      state.dirty = !restore
    }
  }

  /// Changes the limit, keeping the latest records that fit.
  public func resize(limit: Int) {
    state.withLock { state in
      guard state.limit != limit else { return }
      let ordered = Self.ordered(state)
      state.lines = Array(ordered.suffix(limit))
      state.next = state.lines.count % max(1, limit)
      state.limit = limit
      state.dirty = true
    }
  }

  /// Keeps `record`, replacing the oldest when full.
  public func add(_ record: DisagreementRecord) {
    guard let line = try? Self.line(record) else { return }
    state.withLock { state in
      guard state.limit > 0 else { return }
      if state.lines.count < state.limit {
        state.lines.append(line)
      } else {
        state.lines[state.next] = line
      }
      state.next = (state.next + 1) % state.limit
      state.total += 1
      state.dirty = true
    }
  }

  /// Records held now.
  public var count: Int { state.withLock { $0.lines.count } }

  /// Disagreements recorded since the sample began (kept or since replaced).
  public var recordedTotal: Int { state.withLock { $0.total } }

  /// Writes the file when the sample changed; returns false when it could not.
  @discardableResult
  public func flush() -> Bool {
    guard let path else { return true }
    let lines: [Data]? = state.withLock { state in
      guard state.dirty else { return nil }
      state.dirty = false
      return Self.ordered(state)
    }
    guard let lines else { return true }
    if lines.isEmpty {
      return unlink(path) == 0 || errno == ENOENT
    }
    var data = Data()
    for line in lines {
      data.append(line)
      data.append(UInt8(ascii: "\n"))
    }
    return ShadowFiles.replace(path, with: data)
  }

  /// The records in a sample file, oldest first; lines that do not parse are skipped.
  public static func records(at path: String) -> [DisagreementRecord] {
    read(path).compactMap { try? JSONDecoder().decode(DisagreementRecord.self, from: $0) }
  }

  private static func ordered(_ state: State) -> [Data] {
    guard state.lines.count == state.limit, state.limit > 0 else { return state.lines }
    return Array(state.lines[state.next...] + state.lines[..<state.next])
  }

  private static func read(_ path: String?) -> [Data] {
    // At most 1000 records of at most 256 input values each: far below the limit.
    guard let path, let bytes = try? RegularFile.read(path, limit: 64 << 20) else { return [] }
    return bytes.split(separator: UInt8(ascii: "\n")).map { Data($0) }
  }

  /// `record` as the sample file stores it: one JSON object (``ShadowFiles/encoder``).
  public static func line(_ record: DisagreementRecord) throws -> Data {
    try ShadowFiles.encoder.encode(record)
  }
}
