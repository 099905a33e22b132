/// Takes a fraction of a sequence of requests evenly and without randomness: request `n`
/// (counted from 0) is taken when `⌊(n + 1)·f⌋ > ⌊n·f⌋`, so 0.25 takes exactly one request in each
/// four consecutive ones and 0.01 one in each hundred. Fractions are resolved to millionths.
public enum EvenSample {
  /// The denominator fractions are rounded to.
  static let resolution: UInt64 = 1_000_000

  /// Whether request `position` is taken at `fraction` (0…1).
  @inline(__always)
  public static func takes(_ position: UInt64, fraction: Double) -> Bool {
    let parts = UInt64((min(max(fraction, 0), 1) * Double(resolution)).rounded())
    let cycle = position % resolution
    return (cycle + 1) * parts / resolution > cycle * parts / resolution
  }
}
