import ArgumentParser
import FoundationEssentials
import HotswapConfig
import HotswapCore

/// `hotswap switch SLOT`: send 100 % of traffic to SLOT.
struct SwitchCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "switch",
    abstract: "Send all traffic to SLOT (refused if SLOT's model does not load)."
  )

  @OptionGroup var options: ConfigOptions
  @Argument(help: "The slot to switch to, e.g. green.") var slot: String
  @OptionGroup var confirm: ConfirmOptions

  func run() async throws {
    let edit = try ConfigEdit(configPath: options.path)
    let plan = try edit.currentPlan(having: slot)
    var weights = Dictionary(uniqueKeysWithValues: plan.slotNames.map { ($0, 0.0) })
    weights[slot] = 100
    try await edit.apply(weights: weights, describe: "switch to \(slot)", confirm: confirm)
  }
}

/// `hotswap canary SLOT PERCENT`: give SLOT that share, the rest to the other slots.
struct CanaryCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "canary",
    abstract: "Give SLOT PERCENT % of traffic; the rest goes to the other slots in their current proportions."
  )

  @OptionGroup var options: ConfigOptions
  @Argument(help: "The canary slot, e.g. green.") var slot: String
  @Argument(help: "Its share, 0…100.") var percent: Double
  @OptionGroup var confirm: ConfirmOptions

  func validate() throws {
    guard percent.isFinite, (0...100).contains(percent) else {
      throw ValidationError("PERCENT must be between 0 and 100, got \(percent)")
    }
  }

  func run() async throws {
    let edit = try ConfigEdit(configPath: options.path)
    let plan = try edit.currentPlan(having: slot)
    let weights = CanaryWeights.compute(plan: plan, canary: slot, percent: percent)
    try await edit.apply(weights: weights, describe: "canary \(slot) at \(percent) %", confirm: confirm)
  }
}

/// How `canary` spreads the remaining share.
enum CanaryWeights {
  /// SLOT gets `percent`; the others share `100 - percent` in proportion to their current weights
  /// (equally if they all have none).
  static func compute(plan: Plan, canary: String, percent: Double) -> [String: Double] {
    let others = plan.slotNames.filter { $0 != canary }
    let otherTotal = others.reduce(0.0) { $0 + plan.weights[$1, default: 0] }
    var weights: [String: Double] = [canary: percent]
    for name in others {
      let part = otherTotal > 0 ? plan.weights[name, default: 0] / otherTotal : 1 / Double(others.count)
      weights[name] = ((100 - percent) * part * 1000).rounded() / 1000
    }
    return weights
  }
}

/// `hotswap rollback`: return to the config before the last applied change.
struct RollbackCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rollback",
    abstract: "Restore the config file as it was before the last applied change (from the server's history)."
  )

  @OptionGroup var options: ConfigOptions
  @OptionGroup var confirm: ConfirmOptions

  func run() async throws {
    let edit = try ConfigEdit(configPath: options.path)
    let directory = ConfigLocation.stateDirectory(forConfigAt: options.path)
    let audit = try AuditTrail(directory: directory)
    guard let target = audit.rollbackTarget(), let text = target.config else {
      throw ValidationError(
        "no earlier applied plan in \(audit.path); rollback needs the history the server writes when it applies a change"
      )
    }
    try await edit.write(
      text: text,
      describe: "rollback to the plan of \(target.time) (generation \(target.generation))",
      confirm: confirm
    )
  }
}
