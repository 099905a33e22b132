import Dispatch
import FoundationEssentials
import SystemPackage

/// What the guard and the rollout decided for one content of the config file, persisted as JSON
/// in the state directory (`delivery.json`). It is keyed by the file's SHA-256: a restart with the
/// same file resumes it (trips stay in force, the rollout continues), any change to the file
/// starts afresh.
public struct DeliveryRecord: Sendable, Equatable, Codable {
  /// SHA-256 of the config file content the record belongs to.
  public var configSHA256: String
  /// Canaries that lost their traffic, in trip order.
  public var trips: [GuardTrip]
  /// The rollout's progress, if the plan has a `[rollout]`.
  public var rollout: RolloutProgress?

  /// Creates a record.
  public init(configSHA256: String, trips: [GuardTrip] = [], rollout: RolloutProgress? = nil) {
    self.configSHA256 = configSHA256
    self.trips = trips
    self.rollout = rollout
  }

  enum CodingKeys: String, CodingKey {
    case trips, rollout
    case configSHA256 = "config_sha256"
  }
}

/// Reads and writes the ``DeliveryRecord`` file; a write replaces the file atomically and durably
/// (``AtomicFile``: temporary file, `fsync`, rename, directory `fsync`), so a crash leaves the old
/// record or the new one, never half of one.
///
/// Writes happen in the background, in order: a new config's record is saved as it is applied,
/// and an `fsync` on a busy disk takes tens to hundreds of milliseconds (measured: up to 300 ms
/// while other builds ran) that the swap must not wait for. Reads wait for pending writes.
public struct DeliveryRecordFile: Sendable {
  /// The file.
  public let path: String
  /// Every record file's writes, in order (one queue, so a record file opened again — a restart
  /// in the tests — reads what an earlier one wrote).
  private static let writes = DispatchQueue(label: "hotswap.delivery-record")

  /// Uses `directory/delivery.json`, creating the directory if needed.
  public init(directory: String) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    path = FilePath.appending("delivery.json", to: directory)
  }

  /// The largest record file read: a record holds a few trips and one rollout, a few KiB.
  static let maxFileBytes = 1 << 20

  /// The stored record, nil when there is none or it does not parse. Waits for pending writes.
  public func load() -> DeliveryRecord? {
    Self.flush()
    guard let bytes = try? RegularFile.read(path, limit: Self.maxFileBytes) else { return nil }
    let data = Data(bytes)
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .custom { decoder in
      let text = try decoder.singleValueContainer().decode(String.self)
      guard let date = ISO8601Time.date(from: text) else {
        throw DecodingError.dataCorrupted(
          .init(codingPath: decoder.codingPath, debugDescription: "not a time: \(text)")
        )
      }
      return date
    }
    return try? decoder.decode(DeliveryRecord.self, from: data)
  }

  /// Returns once every record saved so far is on disk (or failed).
  public static func flush() {
    writes.sync {}
  }

  /// Stores `record` in the background (see ``flush()``); returns false when it cannot be encoded.
  @discardableResult
  public func save(_ record: DeliveryRecord) -> Bool {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    // Milliseconds kept: a resumed step keeps its start to the millisecond.
    encoder.dateEncodingStrategy = .custom { date, encoder in
      var container = encoder.singleValueContainer()
      try container.encode(ISO8601Time.string(from: date, fractionalSeconds: true))
    }
    guard let data = try? encoder.encode(record) else { return false }
    let path = self.path
    // A failure (the state directory not writable) was logged when the file was opened; the
    // record then lives in memory only, as before.
    Self.writes.async { try? AtomicFile.replace(path, with: [UInt8](data), mode: 0o640, symlinks: .replace) }
    return true
  }
}
