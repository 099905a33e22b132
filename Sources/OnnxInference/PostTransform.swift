import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The `post_transform` attribute of the ONNX-ML predictors, applied to one row of scores.
enum PostTransform: String, Sendable {
  /// Scores unchanged.
  case none = "NONE"
  /// Logistic function per score.
  case logistic = "LOGISTIC"
  /// Softmax over the row.
  case softmax = "SOFTMAX"
  /// Softmax over the row's non-zero scores; zeros stay zero.
  case softmaxZero = "SOFTMAX_ZERO"
  /// Probit (inverse normal CDF) per score.
  case probit = "PROBIT"

  /// Reads the attribute from `attributes`.
  static func read(_ attributes: NodeAttributes) throws(OnnxError) -> PostTransform {
    let value = try attributes.choice(
      "post_transform",
      default: "NONE",
      allowed: ["NONE", "LOGISTIC", "SOFTMAX", "SOFTMAX_ZERO", "PROBIT"]
    )
    return PostTransform(rawValue: value)!
  }

  /// Transforms `row` in place.
  func apply(_ row: UnsafeMutableBufferPointer<Float>) {
    switch self {
    case .none:
      return
    case .logistic:
      for index in row.indices { row[index] = Self.logistic(row[index]) }
    case .softmax:
      Self.softmax(row)
    case .softmaxZero:
      Self.softmaxZero(row)
    case .probit:
      for index in row.indices { row[index] = Self.probit(row[index]) }
    }
  }

  /// The logistic function, computed so that it never overflows.
  static func logistic(_ value: Float) -> Float {
    let positive = 1 / (1 + expf(-abs(value)))
    return value < 0 ? 1 - positive : positive
  }

  /// Softmax over `row`, shifted by its maximum for stability.
  static func softmax(_ row: UnsafeMutableBufferPointer<Float>) {
    guard !row.isEmpty else { return }
    var maximum = row[0]
    for value in row where value > maximum { maximum = value }
    var sum: Float = 0
    for index in row.indices {
      let value = expf(row[index] - maximum)
      row[index] = value
      sum += value
    }
    for index in row.indices { row[index] /= sum }
  }

  /// Softmax over the non-zero entries of `row`; zero entries stay zero.
  static func softmaxZero(_ row: UnsafeMutableBufferPointer<Float>) {
    guard !row.isEmpty else { return }
    var maximum = -Float.infinity
    for value in row where value != 0 && value > maximum { maximum = value }
    var sum: Float = 0
    for index in row.indices where row[index] != 0 {
      let value = expf(row[index] - maximum)
      row[index] = value
      sum += value
    }
    guard sum > 0 else { return }
    for index in row.indices { row[index] /= sum }
  }

  /// √2 · erfinv(2p − 1), with the closed-form erfinv approximation onnxruntime uses.
  static func probit(_ value: Float) -> Float {
    1.41421356 * inverseErf(value * 2 - 1)
  }

  private static func inverseErf(_ input: Float) -> Float {
    let sign: Float = input < 0 ? -1 : 1
    let x = (1 - input) * (1 + input)
    let lnx = logf(x)
    let a: Float = 0.147
    let v = 2 / (Float.pi * a) + 0.5 * lnx
    let v2 = 1 / a * lnx
    let v3 = -v + (v * v - v2).squareRoot()
    return sign * v3.squareRoot()
  }
}
