import HotswapCore
import HotswapJSON

extension JSONWriter {
  /// A predicted label or value as `/predict` answers it (and the prediction log writes it): an
  /// integer, a string, a number or an array of numbers.
  mutating func predictionValue(_ value: Prediction.Value) {
    switch value {
    case .integer(let value): integer(value)
    case .string(let value): string(value)
    case .number(let value): number(value)
    case .numbers(let values):
      beginArray()
      for value in values { number(value) }
      endArray()
    }
  }
}
