import FoundationEssentials
import HotswapConfig
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The shadow's totals since it began, kept in the state directory (`shadow.json`) so a restart
/// continues them: the target they belong to, when the shadow began, and the counts and
/// distributions of ``ShadowSummary``. The window (what the guard and the rollout gate judge) is
/// not kept: like the guard's, it starts again with the process.
public struct ShadowStateFile: Sendable {
  /// What the file holds.
  public struct Saved: Sendable, Equatable {
    /// The shadowed slot and model.
    public var target: ShadowTarget
    /// When the shadow began.
    public var beganAt: Date
    /// The totals since then.
    public var totals: ShadowSummary

    /// Creates the saved state.
    public init(target: ShadowTarget, beganAt: Date, totals: ShadowSummary) {
      self.target = target
      self.beganAt = beganAt
      self.totals = totals
    }
  }

  /// The file.
  public let path: String
  /// The largest state file read: its histograms hold at most a few hundred buckets, a few KiB.
  static let sizeLimit = 1 << 20

  /// Uses `directory/shadow.json`, creating the directory if needed.
  public init(directory: String) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    path = FilePath.appending("shadow.json", to: directory)
  }

  /// The saved state, nil when there is none or it does not parse.
  public func load() -> Saved? {
    guard let bytes = try? RegularFile.read(path, limit: Self.sizeLimit),
      let file = try? JSONDecoder().decode(FileContent.self, from: Data(bytes)),
      let began = ISO8601Time.date(from: file.beganAt)
    else { return nil }
    return Saved(target: file.target, beganAt: began, totals: file.totals.summary)
  }

  /// Stores `saved` atomically (temporary file, then rename); false when it could not.
  @discardableResult
  public func save(_ saved: Saved) -> Bool {
    let content = FileContent(
      target: saved.target,
      beganAt: ISO8601Time.string(from: saved.beganAt, fractionalSeconds: true),
      totals: Totals(saved.totals)
    )
    guard let data = try? ShadowFiles.encoder.encode(content) else { return false }
    return ShadowFiles.replace(path, with: data)
  }

  /// Removes the file (a shadow that ended).
  public func remove() {
    unlink(path)
  }

  private struct FileContent: Codable {
    var target: ShadowTarget
    var beganAt: String
    var totals: Totals

    enum CodingKeys: String, CodingKey {
      case target, totals
      case beganAt = "began_at"
    }
  }

  /// ``ShadowSummary`` as JSON: counts, and histograms as `[index, count]` pairs.
  private struct Totals: Codable {
    var compared: Int
    var errors: Int
    var dropped: Int
    var predictions: Int
    var agreeing: Int
    var maxDifference: Double?
    var difference: [[UInt32]]
    var relativeDifference: [[UInt32]]
    var shadowLatency: [[UInt32]]
    var liveLatency: [[UInt32]]

    init(_ summary: ShadowSummary) {
      compared = summary.compared
      errors = summary.errors
      dropped = summary.dropped
      predictions = summary.predictions
      agreeing = summary.agreeing
      maxDifference = summary.maxDifference
      difference = summary.difference.nonEmptyBuckets.map { [UInt32($0.index), $0.count] }
      relativeDifference = summary.relativeDifference.nonEmptyBuckets.map { [UInt32($0.index), $0.count] }
      shadowLatency = summary.shadowLatency.nonEmptyBuckets.map { [UInt32($0.index), $0.count] }
      liveLatency = summary.liveLatency.nonEmptyBuckets.map { [UInt32($0.index), $0.count] }
    }

    var summary: ShadowSummary {
      var summary = ShadowSummary()
      summary.compared = max(0, compared)
      summary.errors = max(0, errors)
      summary.dropped = max(0, dropped)
      summary.predictions = max(0, predictions)
      summary.agreeing = min(max(0, agreeing), summary.predictions)
      summary.maxDifference = maxDifference
      summary.difference = DifferenceHistogram(buckets: Self.pairs(difference))
      summary.relativeDifference = DifferenceHistogram(buckets: Self.pairs(relativeDifference))
      summary.shadowLatency = LatencyHistogram(buckets: Self.pairs(shadowLatency))
      summary.liveLatency = LatencyHistogram(buckets: Self.pairs(liveLatency))
      return summary
    }

    private static func pairs(_ rows: [[UInt32]]) -> [(index: Int, count: UInt32)] {
      rows.compactMap { $0.count == 2 ? (Int($0[0]), $0[1]) : nil }
    }

    enum CodingKeys: String, CodingKey {
      case compared, errors, dropped, predictions, agreeing, difference
      case maxDifference = "max_difference"
      case relativeDifference = "relative_difference"
      case shadowLatency = "shadow_latency"
      case liveLatency = "live_latency"
    }
  }
}

/// Writing the shadow's files: whole files replaced atomically and flushed (``AtomicFile``),
/// readable by the owner and group only (the disagreement sample holds request inputs).
enum ShadowFiles {
  /// The JSON of the shadow's files: keys sorted, non-finite numbers as the strings `NaN`,
  /// `Infinity` and `-Infinity` (a regressor's difference can be infinite).
  static var encoder: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "Infinity",
      negativeInfinity: "-Infinity",
      nan: "NaN"
    )
    return encoder
  }

  /// Replaces `path` with `data`; false when it could not (the shadow goes on, unsaved).
  static func replace(_ path: String, with data: Data) -> Bool {
    do {
      try AtomicFile.replace(path, with: Array(data), mode: 0o640, symlinks: .replace)
      return true
    } catch {
      return false
    }
  }
}
