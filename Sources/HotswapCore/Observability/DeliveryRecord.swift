import FoundationEssentials

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
public struct DeliveryRecordFile: Sendable {
  /// The file.
  public let path: String

  /// Uses `directory/delivery.json`, creating the directory if needed.
  public init(directory: String) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    path = LexicalPath.appending("delivery.json", to: directory)
  }

  /// The largest record file read: a record holds a few trips and one rollout, a few KiB.
  static let maxFileBytes = 1 << 20

  /// The stored record, nil when there is none or it does not parse.
  public func load() -> DeliveryRecord? {
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

  /// Stores `record`; returns false when the state directory is not writable.
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
    do {
      try AtomicFile.replace(path, with: [UInt8](data), mode: 0o640, symlinks: .replace)
      return true
    } catch {
      return false
    }
  }
}
