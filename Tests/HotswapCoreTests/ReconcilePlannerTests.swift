import HotswapConfig
import Testing

@testable import HotswapCore

/// The planner alone: no files read, no actor. Plans come from text, models from the repository.
@Suite struct ReconcilePlannerTests {
  static let configPath = "/srv/conf/active.toml"
  static let blue = ReconcilerTests.model("iris/v1.0.0")
  static let green = ReconcilerTests.model("iris/v1.1.0")
  static let blueModel = try! ModelLoader().load(path: blue)
  static let greenModel = try! ModelLoader().load(path: green)

  static func pass(_ text: String, startup: Bool = false) -> ReconcilePlanner.Pass {
    ReconcilePlanner.Pass(
      read: ConfigRead(
        text: text,
        sha256: SHA256.hexDigest(of: text.utf8),
        result: PlanParser.parse(text, file: configPath)
      ),
      configPath: configPath,
      isStartup: startup
    )
  }

  static func text(green: String = green, greenVersion: String? = nil, weights: String = "blue = 1") -> String
  {
    """
    [slots.blue]
    model = "\(blue)"
    [slots.green]
    model = "\(green)"
    \(greenVersion.map { "version = \"\($0)\"" } ?? "")
    [traffic]
    \(weights)
    """
  }

  /// The paths and how each would be obtained: "reuse", "verify" or "load".
  static func requests(_ decision: ReconcilePlanner.ReadDecision) -> [String]? {
    guard case .obtain(_, let requests) = decision else { return nil }
    return requests.map { request in
      switch request.source {
      case .reuse: "reuse \(request.path)"
      case .verify: "verify \(request.path)"
      case .load: "load \(request.path)"
      }
    }
  }

  /// A planner serving `text` with both iris models.
  static func serving(_ text: String) -> (ReconcilePlanner, Snapshot) {
    var planner = ReconcilePlanner(onlySlot: nil)
    let pass = pass(text, startup: true)
    guard case .obtain(let plan, _) = planner.decide(pass),
      case .publish(let publication) = planner.settle(
        pass,
        plan: plan,
        obtained: [blue: .success(blueModel), green: .success(greenModel)],
        served: nil
      )
    else { fatalError("the fixture does not publish") }
    planner.published(publication, pass: pass)
    let slots = Reconciler.servingSlots(publication.slots, weights: plan.weights)
    return (planner, try! Snapshot(generation: 1, plan: plan, slots: slots))
  }

  @Test func aFirstPlanLoadsEachFileOnceEvenWhenTwoSlotsShareIt() {
    let planner = ReconcilePlanner(onlySlot: nil)
    #expect(
      Self.requests(planner.decide(Self.pass(Self.text(), startup: true))) == [
        "load \(Self.blue)", "load \(Self.green)",
      ]
    )
    #expect(
      Self.requests(planner.decide(Self.pass(Self.text(green: Self.blue), startup: true))) == [
        "load \(Self.blue)"
      ]
    )
  }

  @Test func servedModelsAreReusedAndChangedOnesVerified() {
    var (planner, _) = Self.serving(Self.text())
    let next = Self.pass(Self.text(weights: "blue = 1\ngreen = 1"))
    #expect(Self.requests(planner.decide(next)) == ["reuse \(Self.blue)", "reuse \(Self.green)"])
    planner.modelChanged(Self.green)
    #expect(Self.requests(planner.decide(next)) == ["reuse \(Self.blue)", "verify \(Self.green)"])
  }

  @Test func theSameContentIsUnchangedUnlessAModelChangedOrItIsStartup() {
    var (planner, _) = Self.serving(Self.text())
    let same = Self.pass(Self.text())
    guard case .unchanged = planner.decide(same) else {
      Issue.record("the served content was reconsidered")
      return
    }
    #expect(Self.requests(planner.decide(Self.pass(Self.text(), startup: true))) != nil)
    planner.modelChanged(Self.blue)
    #expect(Self.requests(planner.decide(same)) == ["verify \(Self.blue)", "reuse \(Self.green)"])
  }

  @Test func anUnreadableOrInvalidFileIsRejectedWithItsErrors() {
    let planner = ReconcilePlanner(onlySlot: nil)
    let unreadable = ReconcilePlanner.Pass(
      read: ConfigRead.read("/nonexistent/active.toml"),
      configPath: "/nonexistent/active.toml",
      isStartup: false
    )
    guard case .reject(let errors) = planner.decide(unreadable) else {
      Issue.record("not rejected")
      return
    }
    #expect(errors == ["/nonexistent/active.toml: cannot read the config file: it does not exist"])
    guard case .reject(let invalid) = planner.decide(Self.pass("[traffic]\nblue = -1\n")) else {
      Issue.record("not rejected")
      return
    }
    #expect(invalid.contains { $0.hasPrefix("\(Self.configPath): no slots") })
  }

  @Test func onlySlotMustNameASlotAndLoadsOnlyIt() {
    #expect(
      Self.requests(ReconcilePlanner(onlySlot: "green").decide(Self.pass(Self.text(), startup: true)))
        == ["load \(Self.green)"]
    )
    guard case .reject(let errors) = ReconcilePlanner(onlySlot: "red").decide(Self.pass(Self.text())) else {
      Issue.record("not rejected")
      return
    }
    #expect(errors == ["\(Self.configPath): --only-slot 'red' is not a slot of this plan"])
  }

  @Test func aFailedModelRejectsTheWholePlanNamingItsLine() throws {
    let (planner, served) = Self.serving(Self.text())
    let pass = Self.pass(Self.text(green: "/srv/models/broken.onnx"))
    let plan = try #require(pass.read.plan)
    let decision = planner.settle(
      pass,
      plan: plan,
      obtained: [
        Self.blue: .success(Self.blueModel),
        "/srv/models/broken.onnx": .failure(
          ModelLoadError(path: "/srv/models/broken.onnx", reason: "does not exist")
        ),
      ],
      served: served
    )
    guard case .reject(let errors, let diff) = decision else {
      Issue.record("a plan with a failed model was not rejected")
      return
    }
    #expect(errors == ["\(Self.configPath):4: slot 'green': model /srv/models/broken.onnx: does not exist"])
    #expect(diff?.description.contains("green") == true)
  }

  @Test func aWeightChangeKeepsEveryModelsIdentityAndARelabelSharesTheSession() throws {
    let (planner, served) = Self.serving(Self.text())
    let obtained: [String: Result<LoadedModel, ModelLoadError>] = [
      Self.blue: .success(Self.blueModel), Self.green: .success(Self.greenModel),
    ]
    let weights = Self.pass(Self.text(weights: "blue = 1\ngreen = 3"))
    guard
      case .publish(let publication) = planner.settle(
        weights,
        plan: weights.read.plan!,
        obtained: obtained,
        served: served
      )
    else {
      Issue.record("a weight change was not published")
      return
    }
    #expect(publication.slots[0].model === served.slots[0].model)
    #expect(publication.slots[1].model === served.slots[1].model)

    let relabeled = Self.pass(Self.text(greenVersion: "v2"))
    guard
      case .publish(let second) = planner.settle(
        relabeled,
        plan: relabeled.read.plan!,
        obtained: obtained,
        served: served
      )
    else {
      Issue.record("a version change was not published")
      return
    }
    #expect(second.slots[1].model.version == "v2")
    #expect(second.slots[1].model.session === Self.greenModel.session)
    #expect(second.models[Self.green] === Self.greenModel)
  }

  @Test func anOvertakenPassStagesItsModelsForTheNextUntilItSettles() {
    var (planner, _) = Self.serving(Self.text())
    let copyPath = "/srv/models/green-copy.onnx"
    planner.superseded(obtained: [copyPath: .success(Self.greenModel)])
    #expect(planner.watchedModelPaths.contains(copyPath))
    #expect(
      Self.requests(planner.decide(Self.pass(Self.text(green: copyPath)))) == [
        "reuse \(Self.blue)", "reuse \(copyPath)",
      ]
    )
    planner.modelChanged(copyPath)
    #expect(
      Self.requests(planner.decide(Self.pass(Self.text(green: copyPath)))) == [
        "reuse \(Self.blue)", "verify \(copyPath)",
      ]
    )
    planner.unchanged(Self.pass(Self.text()))
    #expect(!planner.watchedModelPaths.contains(copyPath))
  }
}
