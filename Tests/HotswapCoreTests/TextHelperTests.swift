import Foundation
import HotswapCore
import Testing

/// The helpers that replaced Foundation-only APIs give what those APIs gave. Tests may use full
/// Foundation, so each helper is checked against the API it replaced.
@Suite("Text helpers: same output as the Foundation APIs they replace")
struct TextHelperTests {
  @Test("fixed-point text matches String(format:)")
  func fixedPointMatchesStringFormat() {
    var values: [Double] = [
      0, -0.0, 0.05, 0.15, 0.25, 0.35, 2.675, 99.95, 99.949_99, 100, -0.04, -0.05, 0.125, 0.375, 1e21,
      .nan, .infinity, -.infinity, 1_234_567.25,
    ]
    var generator = SplitMix(seed: 11)
    for _ in 0..<20000 {
      values.append(Double(Int64(bitPattern: generator.next()) % 2_000_000) / 2000)
      values.append(Double(bitPattern: generator.next() >> 2 | 0x3F00_0000_0000_0000))
    }
    for value in values {
      #expect(FixedPoint.format(value, decimals: 1) == String(format: "%.1f", value), "\(value)")
      #expect(FixedPoint.format(value, decimals: 2) == String(format: "%.2f", value), "\(value)")
      #expect(FixedPoint.format(value, decimals: 1, width: 5) == String(format: "%5.1f", value), "\(value)")
    }
    #expect(FixedPoint.format(-1.797_693_134_862_315_7e308, decimals: 3).count == 314)
  }

  @Test("ISO 8601 text matches ISO8601DateFormatter, rounding to the millisecond as it did")
  func iso8601MatchesFormatter() {
    let plain = ISO8601DateFormatter()
    let fractional = ISO8601DateFormatter()
    fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    var seconds: [Double] = [
      0, 0.0005, 0.000_499_9, 0.9995, 0.999_499_9, 0.9999, -0.0005, -1.5, 951_782_400.5, 1_700_000_000.9995,
      1_700_000_000.0005, 1_700_000_000.0015, 4_102_444_800.999_999, 978_307_200.0005, 978_307_199.9995,
    ]
    var generator = SplitMix(seed: 3)
    for _ in 0..<5000 {
      seconds.append(
        Double(generator.next() % 6_000_000_000) - 1_900_000_000 + Double(generator.next() % 1000) / 1000
      )
      seconds.append((Double(generator.next() % 300_000_000_000) + 1_600_000_000_000 + 0.5) / 1000)
    }
    for value in seconds {
      let date = Date(timeIntervalSince1970: value)
      #expect(
        ISO8601Time.string(from: date, fractionalSeconds: false) == plain.string(from: date),
        "\(value)"
      )
      let text = ISO8601Time.string(from: date, fractionalSeconds: true)
      #expect(text == fractional.string(from: date), "\(value)")
      #expect(ISO8601Time.date(from: text) == fractional.date(from: text), "\(text)")
    }
  }

  @Test("ISO 8601 parsing accepts what is written, with or without milliseconds")
  func iso8601Parsing() throws {
    let date = try #require(ISO8601Time.date(from: "2025-03-04T05:06:07.089Z"))
    #expect(ISO8601Time.string(from: date, fractionalSeconds: true) == "2025-03-04T05:06:07.089Z")
    #expect(ISO8601Time.date(from: "2025-03-04T05:06:07Z") == Date(timeIntervalSince1970: 1_741_064_767))
    #expect(
      ISO8601Time.date(from: "2025-03-04T07:06:07.5+02:00") == Date(timeIntervalSince1970: 1_741_064_767.5)
    )
    #expect(ISO8601Time.date(from: "yesterday") == nil)
  }
}

/// A small deterministic generator, so a failure reproduces.
struct SplitMix {
  var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
