/// Builders for `ai.onnx.ml` TreeEnsembleClassifier and TreeEnsembleRegressor.
enum TreeEnsembleOperators {
  private static let tensorAttributes = [
    "nodes_values_as_tensor", "nodes_hitrates_as_tensor", "class_weights_as_tensor",
    "target_weights_as_tensor", "base_values_as_tensor",
  ]

  private static func read(
    _ context: NodeContext,
    prefix: String
  ) throws(OnnxError) -> TreeEnsemble.Attributes {
    let a = context.attributes
    try a.rejectUnsupported(tensorAttributes)
    return TreeEnsemble.Attributes(
      treeIds: try a.ints("nodes_treeids"),
      nodeIds: try a.ints("nodes_nodeids"),
      featureIds: try a.ints("nodes_featureids"),
      modes: try a.strings("nodes_modes"),
      values: try a.floats("nodes_values"),
      trueIds: try a.ints("nodes_truenodeids"),
      falseIds: try a.ints("nodes_falsenodeids"),
      missingTracksTrue: try a.ints("nodes_missing_value_tracks_true"),
      weightTreeIds: try a.ints("\(prefix)_treeids"),
      weightNodeIds: try a.ints("\(prefix)_nodeids"),
      weightTargetIds: try a.ints("\(prefix)_ids"),
      weights: try a.floats("\(prefix)_weights")
    )
  }

  private static func inputType(_ context: NodeContext) throws(OnnxError) -> ValueType {
    let input = try context.type(0)
    guard [.float, .int64, .int32].contains(input.dataType) else {
      throw OnnxError(
        .unsupportedOperator,
        "\(context.label): tree ensembles over \(input.dataType.rawValue) inputs are not supported (use FP32)"
      )
    }
    return input
  }

  /// TreeEnsembleClassifier: per-class sums of leaf weights, label by argmax or the binary rules.
  @Sendable static func classifier(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...2)
    let input = try inputType(context)
    let labels = try LinearOperators.Labels.read(context, ints: "classlabels_int64s")
    let attributes = try read(context, prefix: "class")
    let ensemble = try TreeEnsemble(attributes, targets: labels.count, context: context)
    let baseValues = try context.attributes.floats("base_values")
    let distinctIds = Set(attributes.weightTargetIds)
    let binaryClass: Int? = labels.count == 2 && distinctIds.count == 1 ? Int(distinctIds.first!) : nil
    guard
      baseValues.isEmpty || baseValues.count == labels.count || (binaryClass != nil && baseValues.count == 1)
    else {
      throw context.error("has \(baseValues.count) base values for \(labels.count) classes")
    }
    let kernel = TreeEnsembleClassifierKernel(
      label: context.label,
      input: try context.slot(0),
      outputs: context.outputSlots,
      ensemble: ensemble,
      labels: labels,
      baseValues: baseValues.isEmpty ? [Float](repeating: 0, count: labels.count) : baseValues,
      transform: try PostTransform.read(context.attributes),
      binaryClass: binaryClass,
      weightsArePositive: attributes.weights.allSatisfy { $0 >= 0 }
    )
    let batch = input.shape?.count == 2 ? input.shape![0] : 1
    return NodeBuild(
      kernel: kernel,
      outputTypes: [
        ValueType(dataType: labels.dataType, shape: [batch]),
        ValueType(dataType: .float, shape: [batch, labels.count]),
      ]
    )
  }

  /// TreeEnsembleRegressor: leaf weights aggregated per target (SUM, AVERAGE, MIN, MAX) plus base.
  @Sendable static func regressor(_ context: NodeContext) throws(OnnxError) -> NodeBuild {
    try context.expect(inputs: 1...1, outputs: 1...1)
    let input = try inputType(context)
    let targets = Int(clamping: try context.attributes.int("n_targets", default: 1))
    guard targets >= 1, targets <= 1 << 20 else { throw context.error("n_targets \(targets) is invalid") }
    let ensemble = try TreeEnsemble(try read(context, prefix: "target"), targets: targets, context: context)
    let baseValues = try context.attributes.floats("base_values")
    guard baseValues.isEmpty || baseValues.count == targets else {
      throw context.error("has \(baseValues.count) base values for \(targets) targets")
    }
    let aggregate = try context.attributes.choice(
      "aggregate_function",
      default: "SUM",
      allowed: ["SUM", "AVERAGE", "MIN", "MAX"]
    )
    let kernel = TreeEnsembleRegressorKernel(
      label: context.label,
      input: try context.slot(0),
      output: context.outputSlots[0],
      ensemble: ensemble,
      targets: targets,
      baseValues: baseValues.isEmpty ? [Float](repeating: 0, count: targets) : baseValues,
      aggregate: TreeEnsembleRegressorKernel.Aggregate(rawValue: aggregate)!,
      transform: try PostTransform.read(context.attributes)
    )
    let batch = input.shape?.count == 2 ? input.shape![0] : 1
    return NodeBuild(kernel: kernel, outputTypes: [ValueType(dataType: .float, shape: [batch, targets])])
  }
}
