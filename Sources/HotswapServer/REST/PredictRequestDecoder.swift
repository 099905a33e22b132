import HotswapCore
import HotswapJSON

/// The rows a `POST /predict` body asks for, in any of the accepted shapes.
struct PredictRequestBody {
  /// How the rows were sent; the response mirrors it.
  enum Form {
    /// `{"features": [...]}` — one row.
    case features
    /// `{"x": [...]}` — one row; the seed's FastAPI answered `"prediction": [label]`.
    case x
    /// `{"instances": [[...], ...]}` or `{"instances": [{...}, ...]}` — a batch.
    case instances
    /// `{"alcohol": 9.4, ...}` — one row of named features.
    case named
  }

  var form: Form
  var rows: [[FeatureValue]]
}

/// Decodes `POST /predict` bodies against a model's feature names.
struct PredictRequestDecoder {
  let featureNames: [String]
  let maxRows: Int
  private let index: FeatureIndex

  init(featureNames: [String], maxRows: Int) {
    self.featureNames = featureNames
    self.maxRows = maxRows
    index = FeatureIndex(featureNames)
  }

  func decode(_ body: JSONValue) throws(HTTPError) -> PredictRequestBody {
    guard case .object(let object) = body else {
      throw bad("the body must be a JSON object such as {\"features\": [...]}, got \(body.typeName)")
    }
    if object.members.count == 1, let (key, value) = object.members.first.map({ ($0.key, $0.value) }) {
      switch key {
      case "features": return PredictRequestBody(form: .features, rows: [try row(value, label: "features")])
      case "x": return PredictRequestBody(form: .x, rows: [try row(value, label: "x")])
      case "instances": return PredictRequestBody(form: .instances, rows: try instances(value))
      default: break
      }
    }
    for reserved in ["features", "x", "instances"] where object[reserved] != nil {
      throw bad("'\(reserved)' must be the only key of the body")
    }
    return PredictRequestBody(form: .named, rows: [try named(object, label: "body")])
  }

  private func instances(_ value: JSONValue) throws(HTTPError) -> [[FeatureValue]] {
    guard case .array(let elements) = value else { throw bad("'instances' must be an array of rows") }
    guard !elements.isEmpty else { throw bad("'instances' is empty") }
    guard elements.count <= maxRows else {
      throw HTTPError(
        .payloadTooLarge,
        "'instances' has \(elements.count) rows; the limit is \(maxRows) per request"
      )
    }
    var rows: [[FeatureValue]] = []
    rows.reserveCapacity(elements.count)
    for (index, element) in elements.enumerated() {
      switch element {
      case .array: rows.append(try row(element, label: "instances[\(index)]"))
      case .object(let object): rows.append(try named(object, label: "instances[\(index)]"))
      default: throw bad("instances[\(index)] must be an array of features or an object of named features")
      }
    }
    return rows
  }

  private func row(_ value: JSONValue, label: String) throws(HTTPError) -> [FeatureValue] {
    guard case .array(let elements) = value else {
      throw bad("'\(label)' must be an array of \(featureNames.count) features, got \(value.typeName)")
    }
    var features: [FeatureValue] = []
    features.reserveCapacity(elements.count)
    for (index, element) in elements.enumerated() {
      features.append(
        try feature(element, name: index < featureNames.count ? featureNames[index] : "#\(index)", in: label)
      )
    }
    return features
  }

  private func named(_ object: JSONObject, label: String) throws(HTTPError) -> [FeatureValue] {
    var values = [FeatureValue?](repeating: nil, count: featureNames.count)
    for member in object.members {
      guard let index = index[member.key] else {
        throw bad(
          "unknown feature '\(member.key)' in \(label); the model's features are: \(featureNames.joined(separator: ", "))"
        )
      }
      values[index] = try feature(member.value, name: member.key, in: label)
    }
    let missing = featureNames.indices.filter { values[$0] == nil }.map { featureNames[$0] }
    guard missing.isEmpty else {
      throw bad(
        "missing feature\(missing.count > 1 ? "s" : "") \(missing.map { "'\($0)'" }.joined(separator: ", ")) in \(label)"
      )
    }
    return values.map { $0! }
  }

  private func feature(_ value: JSONValue, name: String, in label: String) throws(HTTPError) -> FeatureValue {
    switch value {
    case .number(let number, _): return .number(number)
    case .null: return .missing
    case .string(let text): return .string(text)
    default:
      throw bad("feature '\(name)' in \(label) must be a number, a string or null, got \(value.typeName)")
    }
  }

  private func bad(_ message: String) -> HTTPError {
    HTTPError(.badRequest, message)
  }
}

/// Position of a feature by name: a scan for the few features most models have, a dictionary
/// for wide ones, so a named row costs time linear in its keys either way.
private struct FeatureIndex {
  private static let scanLimit = 32
  private let names: [String]
  private let positions: [String: Int]?

  init(_ names: [String]) {
    self.names = names
    positions =
      names.count > Self.scanLimit
      ? Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first }) : nil
  }

  subscript(_ name: String) -> Int? {
    if let positions { return positions[name] }
    return names.firstIndex(of: name)
  }
}
