import ArgumentParser
import FoundationEssentials
import HotswapConfig
import HotswapCore

/// Options of the commands that change the config file.
struct ConfirmOptions: ParsableArguments {
  @Option(help: "The running server to confirm with (default: http://[server] listen).")
  var url: String?

  @Flag(help: "Write the file and return without waiting for the server to apply it.")
  var noWait = false

  @Option(help: "Seconds to wait for the server to apply the change.")
  var timeout: Double = 5
}

/// One edit of the config file: check the result fully (models included) before writing it
/// atomically, then confirm that the running server applied it.
struct ConfigEdit {
  let configPath: String
  let text: String

  init(configPath: String) throws {
    self.configPath = configPath
    do {
      text = try RegularFile.readText(configPath, limit: ConfigLimits.maxFileBytes)
    } catch {
      throw ValidationError("cannot read \(configPath): it \(error.reason)")
    }
  }

  /// The plan the file holds now.
  func currentPlan() throws -> Plan {
    switch PlanParser.parse(text, file: configPath) {
    case .success(let plan): return plan
    case .failure(let errors):
      throw ValidationError("the config file is invalid now; fix it first:\n" + errors.description)
    }
  }

  /// The plan as the file stands, refused when it has no slot `slot` (the command names the
  /// slots it has).
  func currentPlan(having slot: String) throws -> Plan {
    let plan = try currentPlan()
    guard plan.slot(named: slot) != nil else {
      throw ValidationError(
        "no slot '\(slot)' in \(configPath); slots: \(plan.slotNames.joined(separator: ", "))"
      )
    }
    return plan
  }

  /// Rewrites the traffic weights, keeping everything else as written.
  func apply(weights: [String: Double], describe: String, confirm: ConfirmOptions) async throws {
    let edited: String
    do {
      edited = try ConfigEditor(text: text, file: configPath).settingWeights(weights)
    } catch {
      throw ValidationError(error.description)
    }
    try await write(text: edited, describe: describe, confirm: confirm)
  }

  /// Checks and writes `newText`, then confirms with the server.
  func write(text newText: String, describe: String, confirm: ConfirmOptions) async throws {
    if case .failure(let failure) = PlanCheck.run(text: newText, configPath: configPath) {
      throw ValidationError("refusing to \(describe):\n" + failure.messages.joined(separator: "\n"))
    }
    if newText == text {
      print("\(configPath) already says that; nothing to change")
      return
    }
    do {
      try AtomicFile.replace(configPath, with: Array(newText.utf8), mode: 0o644, symlinks: .refuse)
    } catch {
      throw ValidationError("cannot write \(configPath): it \(error.reason)")
    }
    print("\(describe): wrote \(configPath)")
    guard !confirm.noWait else { return }
    let sha = SHA256.hexDigest(of: Array(newText.utf8))
    // Where the server listens: [server] of the file as it was (read alone, so a file broken
    // elsewhere — which is when a rollback is needed — still says it), else of the new text.
    let server =
      (try? PlanParser.serverSettings(text, file: configPath).get())
      ?? (try? PlanParser.serverSettings(newText, file: configPath).get())
    let url = confirm.url ?? server.map { StatusClient.defaultURL(for: $0.listen) } ?? "http://127.0.0.1:8080"
    switch await StatusClient(baseURL: url).waitForConfig(sha256: sha, timeout: confirm.timeout) {
    case .applied(let line):
      print("applied by the server at \(url): \(line)")
    case .rejected(let errors):
      StandardStream.error(
        "the server at \(url) REJECTED the change and keeps serving the last good plan:\n"
          + errors.joined(separator: "\n") + "\n"
      )
      throw ExitCode(1)
    case .unreachable(let reason):
      print(
        "no running server confirmed it at \(url) (\(reason)); a server started later will serve the new plan"
      )
    case .timedOut:
      StandardStream.error("the server at \(url) did not apply the change within \(confirm.timeout) s\n")
      throw ExitCode(1)
    }
  }
}
