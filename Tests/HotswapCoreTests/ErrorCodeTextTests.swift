import HotswapRouting
import OnnxInference
import Testing

@testable import HotswapCore

/// The text every coded error prints, pinned: logs, `hotswap-onnx` and the error bodies show
/// these strings, so moving the types onto one `CodedError` shape must not change a character.
@Suite("Coded errors print as before")
struct ErrorCodeTextTests {
  @Test(
    "code: message, with the case's name as the code",
    arguments: [
      ("\(OnnxError(.invalidInput, "input 'X' expects FP32"))", "invalidInput: input 'X' expects FP32"),
      (
        "\(RoutingError(.allWeightsZero, "at least one weight must be > 0"))",
        "allWeightsZero: at least one weight must be > 0"
      ),
      ("\(InferenceError(.internal, "the model failed"))", "internal: the model failed"),
      ("\(InferenceError(.invalidArgument, "bad"))", "invalidArgument: bad"),
    ]
  )
  func codeAndMessage(_ printed: String, _ expected: String) {
    #expect(printed == expected)
  }

  @Test("a prediction error prints its message alone")
  func predictionErrorPrintsItsMessage() {
    #expect(
      "\(PredictionError(.invalidInput, "row 0 has 3 features, the model takes 4"))"
        == "row 0 has 3 features, the model takes 4"
    )
  }

  @Test("codes print their raw value, the name programs match on")
  func codesPrintTheirName() {
    #expect("\(OnnxError.Code.unsupportedOperator)" == "unsupportedOperator")
    #expect("\(InferenceError.Code.resourceExhausted)" == "resourceExhausted")
    #expect(PredictionError.Code(rawValue: "inferenceFailed") == .inferenceFailed)
  }
}
