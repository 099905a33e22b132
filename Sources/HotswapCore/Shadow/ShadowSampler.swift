/// Which requests a sample below 100 % takes: request `n` (counted from 0 over the eligible
/// requests) is taken when `⌊(n + 1)·p⌋ > ⌊n·p⌋` for `p` = percent / 100 — exact over every
/// window (25 % takes exactly one in each 4 consecutive requests) and without randomness.
public enum ShadowSampler {
  /// Whether eligible request `position` is sampled at `percent` (0…100, in hundredths).
  @inline(__always)
  public static func takes(_ position: UInt64, percent: Double) -> Bool {
    let parts = UInt64((min(max(percent, 0), 100) * 100).rounded())
    let cycle = position % 10_000
    return (cycle + 1) * parts / 10_000 > cycle * parts / 10_000
  }
}
