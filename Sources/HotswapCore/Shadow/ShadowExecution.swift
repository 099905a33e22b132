import OnnxInference

/// Runs one ``ShadowJob`` on its shadow model and compares the answer with the live one, row by
/// row. Pure apart from the model's own computation; runs on the shadow worker, never on the
/// request path.
public struct ShadowExecution: Sendable {
  /// What came of a job.
  public enum Outcome: Sendable {
    /// Both answered: one comparison per row, with both predictions.
    case compared([RowComparison])
    /// The shadow could not answer (its model failed, or the input does not fit it).
    case failed(String)
  }

  /// One row's predictions and how they compare.
  public struct RowComparison: Sendable {
    /// The row's index in the request.
    public var row: Int
    /// The live prediction.
    public var live: Prediction
    /// The shadow's prediction.
    public var shadow: Prediction
    /// How they compare.
    public var comparison: PredictionComparison
  }

  /// Regressors agree within this absolute difference.
  public let tolerance: Double

  /// Creates an execution with a tolerance.
  public init(tolerance: Double) {
    self.tolerance = tolerance
  }

  /// Runs the job's input on the shadow model and compares.
  public func run(_ job: ShadowJob) -> Outcome {
    let shadowModel = job.shadowModel
    let live: [Prediction]
    let shadow: [Prediction]
    switch job.input {
    case .rows(let rows):
      guard case .predictions(let predictions) = job.liveOutput else {
        return .failed("the live answer holds tensors for a request of feature rows")
      }
      live = predictions
      let mapped: [[FeatureValue]]
      switch Self.map(rows, from: job.live.schema, to: shadowModel.schema) {
      case .success(let value): mapped = value
      case .failure(let message): return .failed(message.text)
      }
      do {
        shadow = try shadowModel.predict(rows: mapped)
      } catch {
        return .failed(error.message)
      }
    case .tensors(let tensors):
      guard case .tensors(let outputs) = job.liveOutput else {
        return .failed("the live answer holds predictions for a request of tensors")
      }
      let rowCount = tensors.first?.shape.first ?? 0
      do {
        live = try PredictionReader(schema: job.live.schema).predictions(from: outputs, rowCount: rowCount)
      } catch {
        return .failed("the live answer cannot be read as predictions: \(error.message)")
      }
      let inputs: [Tensor]
      switch Self.map(tensors, from: job.live.session.inputs, to: shadowModel.session.inputs) {
      case .success(let value): inputs = value
      case .failure(let message): return .failed(message.text)
      }
      do {
        let results = try shadowModel.session.run(inputs)
        shadow = try PredictionReader(schema: shadowModel.schema).predictions(
          from: results,
          rowCount: rowCount
        )
      } catch let error as OnnxError {
        return .failed("model '\(shadowModel.version)' failed: \(error.message)")
      } catch let error as PredictionError {
        return .failed(error.message)
      } catch {
        return .failed("\(error)")
      }
    }
    guard live.count == shadow.count else {
      return .failed("the shadow answered \(shadow.count) rows for \(live.count)")
    }
    let liveClasses = Self.classes(job.live.schema)
    let shadowClasses = Self.classes(shadowModel.schema)
    return .compared(
      zip(live, shadow).enumerated().map { index, pair in
        RowComparison(
          row: index,
          live: pair.0,
          shadow: pair.1,
          comparison: PredictionComparison.compare(
            live: pair.0,
            shadow: pair.1,
            liveClasses: liveClasses,
            shadowClasses: shadowClasses,
            tolerance: tolerance
          )
        )
      }
    )
  }

  /// A message for a failed mapping.
  struct Message: Error {
    let text: String
  }

  /// The rows in the shadow model's feature order: unchanged when the names agree, picked by
  /// name when the shadow's features are among the live ones, by position when only the counts
  /// agree.
  static func map(
    _ rows: [[FeatureValue]],
    from live: ModelSchema,
    to shadow: ModelSchema
  )
    -> Result<[[FeatureValue]], Message>
  {
    if live.featureNames == shadow.featureNames { return .success(rows) }
    var index: [String: Int] = [:]
    for (position, name) in live.featureNames.enumerated() { index[name] = position }
    let picks = shadow.featureNames.compactMap { index[$0] }
    if picks.count == shadow.featureNames.count {
      return .success(rows.map { row in picks.map { $0 < row.count ? row[$0] : .missing } })
    }
    if live.featureCount == shadow.featureCount { return .success(rows) }
    return .failure(
      Message(
        text:
          "the shadow model takes \(shadow.featureCount) features (\(shadow.featureNames.joined(separator: ", "))), the live model \(live.featureCount)"
      )
    )
  }

  /// The tensors in the shadow model's input order: by name, or by position when the models
  /// have the same number of inputs under other names.
  static func map(
    _ tensors: [Tensor],
    from live: [TensorInfo],
    to shadow: [TensorInfo]
  ) -> Result<[Tensor], Message> {
    var byName: [String: Tensor] = [:]
    for (info, tensor) in zip(live, tensors) { byName[info.name] = tensor }
    let named = shadow.compactMap { byName[$0.name] }
    if named.count == shadow.count { return .success(named) }
    if tensors.count == shadow.count { return .success(tensors) }
    let names = shadow.map { "'\($0.name)'" }.joined(separator: ", ")
    return .failure(Message(text: "the shadow model's inputs \(names) are not among the live model's"))
  }

  private static func classes(_ schema: ModelSchema) -> [String] {
    if case .classifier(_, _, let classes) = schema.reading { return classes }
    return []
  }
}
