import ArgumentParser
import FoundationEssentials
import HotswapConfig
import HotswapCore
import HotswapJSON
import HotswapServer

/// `hotswap status`: the live state of a running server, for people.
struct StatusCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show the running server's slots, shares, versions, last change and last error."
  )

  @OptionGroup var options: ConfigOptions

  @Option(help: "The server (default: http://[server] listen from the config file).")
  var url: String?

  @Flag(help: "Print the raw /status JSON.")
  var json = false

  func run() async throws {
    let base = url ?? Self.urlFromConfig(options.path) ?? "http://127.0.0.1:8080"
    let body: [UInt8]
    do {
      body = try await StatusClient(baseURL: base).statusBody()
    } catch {
      StandardStream.error("hotswap: no server answered at \(base)/status (\(error))\n")
      throw ExitCode(1)
    }
    if json {
      // The document exactly as the server sent it.
      StandardStream.output(String(decoding: body, as: UTF8.self) + "\n")
      return
    }
    guard let document = (try? JSONParser.parse(body))?.object else {
      StandardStream.error("hotswap: \(base)/status did not answer a JSON object\n")
      throw ExitCode(1)
    }
    print(StatusText.render(document, url: base))
  }

  static func urlFromConfig(_ path: String) -> String? {
    // Only [server]: a file whose traffic or slots are broken still says where the server is.
    guard let server = ConfigRead.read(path).server(configPath: path) else { return nil }
    return StatusClient.defaultURL(for: server.listen)
  }
}
