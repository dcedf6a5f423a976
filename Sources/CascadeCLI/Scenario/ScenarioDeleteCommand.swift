import ArgumentParser
import CascadeJSON
import CascadeStore

/// `cascade scenario delete KEY`: removes a scenario with its cached result and queued runs
/// (audited). The command line acts as the store's owner, as `DELETE /v1/scenarios/{id}` does for
/// an admin.
struct ScenarioDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a stored scenario with its cached result and queued runs (audited).")

    @OptionGroup var store: StoreOptions
    @Argument(help: ScenarioFiles.keyHelp) var id: String

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let opened = try store.openStore()
            let scenario = try ScenarioFiles.stored(id, in: opened)
            try opened.deleteScenario(scenario.id, by: opened.actor, isAdmin: true)
            if store.json {
                StoreOutput.printJSON(.object(JSONObject([("ok", .bool(true)), ("deleted", .string(scenario.id)),
                                                          ("name", .string(scenario.name))])))
            } else {
                StoreOutput.print("deleted scenario \(scenario.id) (\(scenario.name))")
            }
        }
    }
}
