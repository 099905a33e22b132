/// A fixed log-scale histogram of non-negative differences between two predictions: one bucket
/// for exact agreement (0), 8 buckets per power of two from 2^-20 (about 1e-6) to 2^20 (about
/// 1e6), one below and one above that range. A quantile read from it is at most 12.5 % above the
/// true value (above 2^20 it reads 2^20, a lower bound). Finding a bucket is a few instructions.
public struct DifferenceHistogram: Sendable, Equatable {
  /// Buckets per power of two.
  static let subBuckets = 8
  /// The first power of two with its own buckets.
  static let lowestExponent = -20
  /// The last power of two with its own buckets.
  static let highestExponent = 19
  /// The bucket of exact zeros.
  static let zeroBucket = 0
  /// The bucket of differences below 2^-20 (but above 0).
  static let tinyBucket = 1
  /// Number of buckets: zero, tiny, the log-scale ones, and the overflow bucket (≥ 2^20, NaN).
  public static let bucketCount = 2 + (highestExponent - lowestExponent + 1) * subBuckets + 1

  /// Counts per bucket.
  public private(set) var counts: [UInt32]

  /// Creates an empty histogram.
  public init() {
    counts = [UInt32](repeating: 0, count: Self.bucketCount)
  }

  /// The bucket `value` falls in; NaN and infinity fall in the overflow bucket.
  @inline(__always)
  public static func bucket(_ value: Double) -> Int {
    guard value.isFinite else { return bucketCount - 1 }
    let magnitude = abs(value)
    if magnitude == 0 { return zeroBucket }
    let exponent = Int(magnitude.exponent)
    if exponent < lowestExponent { return tinyBucket }
    if exponent > highestExponent { return bucketCount - 1 }
    // The three significand bits below the leading one pick the sub-bucket.
    let fraction = Int((magnitude.significandBitPattern >> 49) & 0b111)
    return 2 + (exponent - lowestExponent) * subBuckets + fraction
  }

  /// The largest difference bucket `index` holds (the overflow bucket reads 2^20).
  public static func upperBound(ofBucket index: Int) -> Double {
    switch index {
    case zeroBucket: return 0
    case tinyBucket: return Double(sign: .plus, exponent: lowestExponent, significand: 1)
    case bucketCount - 1: return Double(sign: .plus, exponent: highestExponent + 1, significand: 1)
    default:
      let offset = index - 2
      let exponent = offset / subBuckets + lowestExponent
      let fraction = Double(offset % subBuckets + 1) / Double(subBuckets)
      return Double(sign: .plus, exponent: exponent, significand: 1 + fraction)
    }
  }

  /// Counts one difference.
  @inline(__always)
  public mutating func record(_ value: Double) {
    counts[Self.bucket(value)] &+= 1
  }

  /// Adds another histogram's counts to this one.
  public mutating func add(_ other: DifferenceHistogram) {
    for index in counts.indices { counts[index] &+= other.counts[index] }
  }

  /// Clears every bucket, keeping the storage.
  public mutating func reset() {
    for index in counts.indices { counts[index] = 0 }
  }

  /// Differences counted.
  public var total: Int { counts.bucketTotal }

  /// The upper bound of the bucket holding the `quantile` (0…1) difference, nil when empty.
  public func quantile(_ quantile: Double) -> Double? {
    counts.bucket(atQuantile: quantile).map(Self.upperBound(ofBucket:))
  }

  /// The non-empty buckets as `(index, count)`, for the state file.
  public var nonEmptyBuckets: [(index: Int, count: UInt32)] {
    counts.indices.compactMap { counts[$0] > 0 ? ($0, counts[$0]) : nil }
  }

  /// A histogram from ``nonEmptyBuckets`` (out-of-range indices are ignored).
  public init(buckets: [(index: Int, count: UInt32)]) {
    self.init()
    for (index, count) in buckets where counts.indices.contains(index) { counts[index] = count }
  }
}
