import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Builders for `ai.onnx.ml` SVMClassifier and SVMRegressor.
enum SVMOperators {
  /// SVMClassifier: one-vs-one votes for the label, Platt coupling for probabilities.
  @Sendable static func classifier(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...2)
    let input = try context.type(0, in: [.float, .double, .int64, .int32])
    let a = context.attributes
    let labels = try LinearOperators.Labels.read(context)
    let kernel = try SVMKernelFunction(a, context)
    let coefficients = try a.floats("coefficients").map(Double.init)
    let supportVectors = try a.floats("support_vectors").map(Double.init)
    let perClass = try a.ints("vectors_per_class")
    let rho = try a.floats("rho").map(Double.init)
    let probA = try a.floats("prob_a").map(Double.init)
    let probB = try a.floats("prob_b").map(Double.init)
    let classes = labels.count
    guard !perClass.isEmpty else {
      throw OnnxError(
        .unsupportedOperator,
        "\(context.label): linear-mode SVMClassifier (no vectors_per_class) is not supported"
      )
    }
    guard perClass.count == classes, perClass.allSatisfy({ $0 >= 0 && $0 <= 1 << 24 }) else {
      throw context.error("vectors_per_class has \(perClass.count) entries for \(classes) classes")
    }
    let vectorCount = perClass.reduce(0, +)
    guard vectorCount > 0, supportVectors.count % Int(vectorCount) == 0, !supportVectors.isEmpty else {
      throw context.error(
        "support_vectors (\(supportVectors.count)) do not split into \(vectorCount) vectors"
      )
    }
    let pairs = classes * (classes - 1) / 2
    guard coefficients.count == (classes - 1) * Int(vectorCount) else {
      throw context.error(
        "has \(coefficients.count) coefficients, expected \((classes - 1) * Int(vectorCount))"
      )
    }
    guard rho.count == pairs else {
      throw context.error("has \(rho.count) rho values for \(pairs) class pairs")
    }
    guard probA.isEmpty || (probA.count == pairs && probB.count == pairs) else {
      throw context.error("prob_a/prob_b have \(probA.count)/\(probB.count) values for \(pairs) class pairs")
    }
    let features = supportVectors.count / Int(vectorCount)
    try LinearOperators.checkFeatures(input, features, context)
    var starts: [Int] = []
    var offset = 0
    for count in perClass {
      starts.append(offset)
      offset += Int(count)
    }
    let model = SVMClassifierKernel(
      label: context.label,
      input: try context.slot(0),
      outputs: context.outputSlots,
      function: kernel,
      supportVectors: supportVectors,
      features: features,
      coefficients: coefficients,
      starts: starts,
      counts: perClass.map { Int($0) },
      rho: rho,
      probA: probA,
      probB: probB,
      labels: labels,
      transform: try PostTransform.read(a)
    )
    let batch = input.shape?.count == 2 ? input.shape![0] : 1
    let columns = probA.isEmpty ? (classes == 2 ? 2 : pairs) : classes
    return NodeBuild(
      kernel: model,
      outputTypes: [
        ValueType(dataType: labels.dataType, shape: [batch]),
        ValueType(dataType: .float, shape: [batch, columns]),
      ]
    )
  }

  /// SVMRegressor: Σ coefficient · K(x, sv) + rho (or a linear model when there are no vectors).
  @Sendable static func regressor(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...1)
    let input = try context.type(0, in: [.float, .double, .int64, .int32])
    let a = context.attributes
    let coefficients = try a.floats("coefficients").map(Double.init)
    let supportVectors = try a.floats("support_vectors").map(Double.init)
    let supports = Int(clamping: try a.int("n_supports", default: 0))
    let rho = try a.floats("rho").map(Double.init)
    guard rho.count == 1 else { throw context.error("needs one rho value, has \(rho.count)") }
    let features: Int
    if supports > 0 {
      guard coefficients.count == supports, supportVectors.count % supports == 0, !supportVectors.isEmpty
      else {
        throw context.error("support_vectors/coefficients do not match n_supports \(supports)")
      }
      features = supportVectors.count / supports
    } else {
      guard !coefficients.isEmpty else { throw context.error("has no coefficients") }
      features = coefficients.count
    }
    try LinearOperators.checkFeatures(input, features, context)
    let kernel = SVMRegressorKernel(
      label: context.label,
      input: try context.slot(0),
      output: context.outputSlots[0],
      function: try SVMKernelFunction(a, context),
      supportVectors: supportVectors,
      coefficients: coefficients,
      supports: supports,
      features: features,
      rho: rho[0],
      oneClass: try a.int("one_class", default: 0) != 0,
      transform: try PostTransform.read(a)
    )
    let batch = input.shape?.count == 2 ? input.shape![0] : 1
    return NodeBuild(kernel: kernel, outputTypes: [ValueType(dataType: .float, shape: [batch, 1])])
  }
}

/// The kernel function K(x, y) of an SVM.
struct SVMKernelFunction: Sendable {
  enum Kind: String { case linear = "LINEAR", poly = "POLY", rbf = "RBF", sigmoid = "SIGMOID" }
  let kind: Kind
  let gamma: Double
  let coef0: Double
  let degree: Double

  init(_ attributes: NodeAttributes, _ context: NodeContext) throws(OnnxError) {
    let name = try attributes.choice(
      "kernel_type",
      default: "LINEAR",
      allowed: ["LINEAR", "POLY", "RBF", "SIGMOID"]
    )
    kind = Kind(rawValue: name)!
    let params = try attributes.floats("kernel_params")
    gamma = params.count > 0 ? Double(params[0]) : 0
    coef0 = params.count > 1 ? Double(params[1]) : 0
    degree = params.count > 2 ? Double(params[2]) : 0
  }

  /// K(x, y) over `count` features.
  @inline(__always)
  func callAsFunction(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ count: Int) -> Double {
    switch kind {
    case .rbf:
      var sum = 0.0
      for i in 0..<count {
        let d = x[i] - y[i]
        sum += d * d
      }
      return exp(-gamma * sum)
    case .linear, .poly, .sigmoid:
      var dot = 0.0
      for i in 0..<count { dot += x[i] * y[i] }
      switch kind {
      case .poly: return pow(gamma * dot + coef0, degree)
      case .sigmoid: return hyperbolicTangent(gamma * dot + coef0)
      default: return dot
      }
    }
  }
}
