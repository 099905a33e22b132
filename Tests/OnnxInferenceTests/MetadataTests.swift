import Foundation
import Testing

@testable import OnnxInference

@Suite("Metadata")
struct MetadataTests {
  @Test("metadata_props give name, version, feature names and class labels")
  func properties() throws {
    let model = B.model(
      nodes: [B.node("Identity", ["X"], ["Y"])],
      inputs: [B.value("X", B.float, [nil, 2])],
      outputs: [B.value("Y", B.float, [nil, 2])],
      metadata: [
        "model_name": "iris", "model_version": "v2", "feature_names": #"["a", "b"]"#,
        "class_labels": #"["setosa"]"#, "other": "x",
      ]
    )
    let metadata = try InferenceSession(bytes: B.bytes(model)).metadata
    #expect(metadata.name == "iris")
    #expect(metadata.version == "v2")
    #expect(metadata.featureNames == ["a", "b"])
    #expect(metadata.classLabels == ["setosa"])
    #expect(metadata.properties["other"] == "x")
    #expect(metadata.producerName == "tests")
    #expect(metadata.irVersion == 8)
  }

  @Test("feature names fall back to several [N, 1] input names; one [N, F] input gives nil")
  func featureFallback() throws {
    let several = B.model(
      nodes: [B.node("Concat", ["a", "b"], ["Y"], [B.attr("axis", int: 1)])],
      inputs: [B.value("a", B.float, [nil, 1]), B.value("b", B.float, [nil, 1])],
      outputs: [B.value("Y", B.float, [nil, 2])]
    )
    #expect(try InferenceSession(bytes: B.bytes(several)).metadata.featureNames == ["a", "b"])
    let single = B.model(
      nodes: [B.node("Identity", ["X"], ["Y"])],
      inputs: [B.value("X", B.float, [nil, 2])],
      outputs: [B.value("Y", B.float, [nil, 2])]
    )
    #expect(try InferenceSession(bytes: B.bytes(single)).metadata.featureNames == nil)
  }

  @Test("a malformed feature_names property is a load error")
  func malformed() throws {
    let model = B.model(
      nodes: [B.node("Identity", ["X"], ["Y"])],
      inputs: [B.value("X", B.float, [nil, 2])],
      outputs: [B.value("Y", B.float, [nil, 2])],
      metadata: ["feature_names": "a,b"]
    )
    let error = #expect(throws: OnnxError.self) { try InferenceSession(bytes: B.bytes(model)) }
    #expect(error?.message.contains("feature_names") == true)
  }

  @Test("the version falls back to the one given (the model file's folder name)")
  func versionFallback() throws {
    let model = B.model(
      nodes: [B.node("Identity", ["X"], ["Y"])],
      inputs: [B.value("X", B.float, [nil, 2])],
      outputs: [B.value("Y", B.float, [nil, 2])]
    )
    #expect(try InferenceSession(bytes: B.bytes(model), fallbackVersion: "v9.1").metadata.version == "v9.1")
    #expect(try InferenceSession(bytes: B.bytes(model)).metadata.version == nil)
  }
}
