/// What the bucketed histograms (request latency, shadow differences) share: the total of their
/// counts and the bucket that holds a quantile.
extension Array where Element == UInt32 {
  /// The sum of the counts.
  var bucketTotal: Int { reduce(0) { $0 + Int($1) } }

  /// The index of the bucket holding the `quantile` (0…1) observation, nil when every bucket is
  /// empty. The rank is 1-based and rounded up: p99 of 100 observations is the 99th.
  func bucket(atQuantile quantile: Double) -> Int? {
    let total = bucketTotal
    guard total > 0 else { return nil }
    let rank = Swift.max(1, Int((quantile * Double(total)).rounded(.up)))
    var seen = 0
    for (index, count) in enumerated() {
      seen += Int(count)
      if seen >= rank { return index }
    }
    return count - 1
  }
}
