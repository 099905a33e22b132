/// The operators this runtime implements, by domain and type, with the opsets each supports.
enum OperatorRegistry {
  /// Compiles one node.
  typealias Builder = @Sendable (NodeContext) throws(OnnxError) -> NodeBuild

  /// One implemented operator.
  struct Entry: Sendable {
    /// The opset versions of the operator's domain at which the implemented semantics hold.
    let opsets: ClosedRange<Int64>
    /// The builder.
    let build: Builder
  }

  /// The default ONNX domain, normalized (files may also write it as the empty string).
  static let defaultDomain = "ai.onnx"
  /// The ONNX-ML domain.
  static let mlDomain = "ai.onnx.ml"

  /// The entry for an operator, or nil when it is not implemented.
  static func entry(domain: String, opType: String) -> Entry? {
    switch domain {
    case defaultDomain: standard[opType]
    case mlDomain: ml[opType]
    default: nil
    }
  }

  private static let standard: [String: Entry] = [
    "Cast": Entry(opsets: 1...22, build: ShapeOperators.cast),
    "Identity": Entry(opsets: 1...22, build: ShapeOperators.identity),
    "Reshape": Entry(opsets: 5...22, build: ShapeOperators.reshape),
    "Flatten": Entry(opsets: 1...22, build: ShapeOperators.flatten),
    "Concat": Entry(opsets: 4...22, build: ShapeOperators.concat),
    "Gather": Entry(opsets: 1...22, build: ShapeOperators.gather),
    "MatMul": Entry(opsets: 1...22, build: MatrixOperators.matMul),
    "Gemm": Entry(opsets: 7...22, build: MatrixOperators.gemm),
    "Add": Entry(opsets: 7...22, build: ElementwiseOperators.add),
    "Sub": Entry(opsets: 7...22, build: ElementwiseOperators.sub),
    "Mul": Entry(opsets: 7...22, build: ElementwiseOperators.mul),
    "Div": Entry(opsets: 7...22, build: ElementwiseOperators.div),
    "Where": Entry(opsets: 9...22, build: ElementwiseOperators.whereOperator),
    "Relu": Entry(opsets: 6...22, build: ElementwiseOperators.relu),
    "Tanh": Entry(opsets: 6...22, build: ElementwiseOperators.tanh),
    "Sigmoid": Entry(opsets: 6...22, build: ElementwiseOperators.sigmoid),
    "Softmax": Entry(opsets: 1...22, build: ReductionOperators.softmax),
    "ArgMax": Entry(opsets: 1...22, build: ReductionOperators.argMax),
  ]

  private static let ml: [String: Entry] = [
    "LinearClassifier": Entry(opsets: 1...5, build: LinearOperators.classifier),
    "LinearRegressor": Entry(opsets: 1...5, build: LinearOperators.regressor),
    "Normalizer": Entry(opsets: 1...5, build: ScalingOperators.normalizer),
    "Scaler": Entry(opsets: 1...5, build: ScalingOperators.scaler),
    "Imputer": Entry(opsets: 1...5, build: ScalingOperators.imputer),
    "ZipMap": Entry(opsets: 1...5, build: ShapeOperators.zipMap),
    "TreeEnsembleClassifier": Entry(opsets: 1...4, build: TreeEnsembleOperators.classifier),
    "TreeEnsembleRegressor": Entry(opsets: 1...4, build: TreeEnsembleOperators.regressor),
    "SVMClassifier": Entry(opsets: 1...5, build: SVMOperators.classifier),
    "SVMRegressor": Entry(opsets: 1...5, build: SVMOperators.regressor),
    "LabelEncoder": Entry(opsets: 1...3, build: EncoderOperators.labelEncoder),
    "OneHotEncoder": Entry(opsets: 1...5, build: EncoderOperators.oneHotEncoder),
    "ArrayFeatureExtractor": Entry(opsets: 1...5, build: EncoderOperators.arrayFeatureExtractor),
  ]
}
