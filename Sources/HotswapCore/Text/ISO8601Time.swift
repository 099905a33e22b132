import FoundationEssentials

/// ISO 8601 times as Hotswap writes them (logs, `/status`, the history, the state directory): UTC
/// with `Z`, with or without milliseconds — the strings `ISO8601DateFormatter` used to give.
///
/// `ISO8601DateFormatter` rounded to the nearest millisecond, also when it wrote whole seconds
/// (07.9996 s became `08.000`, or `08`); `Date.ISO8601FormatStyle` truncates. So the text is
/// written here from the rounded millisecond count, and only parsing uses the format style.
public enum ISO8601Time {
  /// `2025-03-04T05:06:07.089Z`, or `2025-03-04T05:06:07Z` without `fractionalSeconds`.
  public static func string(from date: Date, fractionalSeconds: Bool) -> String {
    // As CoreFoundation handed the time to ICU: milliseconds since 1970, plus half of one,
    // then ICU took the whole milliseconds.
    let since1970 = (date.timeIntervalSinceReferenceDate + Date.timeIntervalBetween1970AndReferenceDate)
    let rounded = (since1970 * 1000 + 0.5).rounded(.down)
    guard rounded.isFinite, abs(rounded) < 1e17 else { return date.formatted(.iso8601) }
    let milliseconds = Int64(rounded)
    let seconds = floorDivision(milliseconds, 1000)
    let days = floorDivision(seconds, 86_400)
    let secondOfDay = seconds - days * 86_400
    let (year, month, day) = civilDate(daysSince1970: days)
    var text = padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2)
    text += "T" + padded(secondOfDay / 3600, 2) + ":" + padded(secondOfDay / 60 % 60, 2)
    text += ":" + padded(secondOfDay % 60, 2)
    if fractionalSeconds { text += "." + padded(milliseconds - seconds * 1000, 3) }
    return text + "Z"
  }

  /// The time in `text` as ``string(from:fractionalSeconds:)`` writes it (milliseconds optional,
  /// any UTC offset accepted), to the millisecond as `ISO8601DateFormatter` read it; nil if it is
  /// not such a time.
  public static func date(from text: String) -> Date? {
    let parsed =
      (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
      ?? (try? Date.ISO8601FormatStyle().parse(text))
    guard let parsed else { return nil }
    let milliseconds = (parsed.timeIntervalSince1970 * 1000).rounded()
    return Date(
      timeIntervalSinceReferenceDate: milliseconds / 1000 - Date.timeIntervalBetween1970AndReferenceDate
    )
  }

  private static func floorDivision(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return value % divisor < 0 ? quotient - 1 : quotient
  }

  /// Year, month and day of the proleptic Gregorian calendar (H. Hinnant's `civil_from_days`).
  private static func civilDate(daysSince1970 days: Int64) -> (Int64, Int64, Int64) {
    let shifted = days + 719_468
    let era = floorDivision(shifted, 146_097)
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  private static func padded(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }
}
