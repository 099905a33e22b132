import OnnxProto

/// Works out what a compiled graph predicts, from its outputs and the nodes that produce them.
enum TaskDetector {
  private static let classifiers: Set<String> = [
    "LinearClassifier", "TreeEnsembleClassifier", "SVMClassifier",
  ]

  /// The task of a compiled graph whose nodes are `nodes`.
  static func detect(_ compiled: GraphCompiler.Output, nodes: [Onnx_NodeProto]) -> ModelTask {
    let outputs = compiled.outputs
    let isLabel: (TensorInfo) -> Bool = {
      ($0.dataType == .int64 || $0.dataType == .string) && $0.shape.count == 1
    }
    let isScores: (TensorInfo) -> Bool = {
      ($0.dataType == .float || $0.dataType == .double) && $0.shape.count == 2
    }
    if let labelIndex = outputs.firstIndex(where: isLabel) {
      let probabilities = outputs.firstIndex(where: isScores)
      return .classifier(
        labelOutput: labelIndex,
        probabilitiesOutput: probabilities,
        classes: classes(compiled, nodes)
      )
    }
    if outputs.count == 1, outputs[0].dataType == .float || outputs[0].dataType == .double {
      return .regressor(valueOutput: 0)
    }
    return .other
  }

  /// Class labels in probability-column order: from ZipMap, else the classifier node, else the
  /// constant that an ArrayFeatureExtractor picks labels from (MLP graphs).
  private static func classes(_ compiled: GraphCompiler.Output, _ nodes: [Onnx_NodeProto]) -> [String] {
    if let zipMap = nodes.first(where: { $0.opType == "ZipMap" }),
      let labels = labels(of: zipMap, ints: "classlabels_int64s")
    {
      return labels
    }
    if let classifier = nodes.first(where: { classifiers.contains($0.opType) }),
      let labels = labels(of: classifier, ints: "classlabels_ints")
    {
      return labels
    }
    for node in nodes where node.opType == "ArrayFeatureExtractor" {
      guard let name = node.input.first, let constant = compiled.constants[name] else { continue }
      switch constant.storage {
      case .int64(let values): return values.map(String.init)
      case .string(let values): return values
      default: continue
      }
    }
    return []
  }

  private static func labels(of node: Onnx_NodeProto, ints: String) -> [String]? {
    for attribute in node.attribute {
      if attribute.name == ints || attribute.name == "classlabels_int64s", !attribute.ints.isEmpty {
        return attribute.ints.map(String.init)
      }
      if attribute.name == "classlabels_strings", !attribute.strings.isEmpty {
        return attribute.strings.map { String(decoding: $0, as: UTF8.self) }
      }
    }
    return nil
  }
}
