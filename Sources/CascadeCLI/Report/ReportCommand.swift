import ArgumentParser
import CascadeEngine
import CascadeStore
import Foundation

/// `cascade report ID [--against ID2] [--out FILE]`: a scenario's result as one self-contained
/// HTML page — header, the cascade by level, top movers, each entity's waterfall and attribution,
/// and with `--against` the diff view. The page makes no network request (see `ReportPage`).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Write a scenario's result as one self-contained HTML page (charts, works offline).",
        discussion: "The result is computed first when it is missing or stale (as `scenario run` would). "
            + "Without --out the page is written to standard output. A large result shows its largest movers "
            + "(\(ReportData.entitiesPerLevel) per level) and says how many are left out. The movers the charts draw "
            + "(\(ReportData.explainedPerLevel) per level) carry their run explanation, as `scenario explain --depth 1` gives it. "
            + "A result with sensitivities (`run --sensitivities`, or --sensitivities here) adds their heat map.")

    @OptionGroup var store: StoreOptions
    @Argument(help: ScenarioFiles.keyHelp) var id: String
    @Option(help: "Another scenario (id, prefix or name) to compare with: the diff view, as `scenario diff ID ID2`.")
    var against: String?
    @Option(help: "Write the page to this file (replaced whole) instead of standard output.") var out: String?
    @Flag(help: "Run with sensitivities (unless the current result has them) and show their heat map, as `scenario run --sensitivities`.")
    var sensitivities = false

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let file = try out.map { try OutputFile($0, option: "--out", store: store.location) }
            let opened = try store.openStore()
            let scenario = try ScenarioFiles.stored(id, in: opened)
            let other = try against.map { try ScenarioFiles.stored($0, in: opened) }
            let service = ScenarioService(store: opened)
            // The stored result when it is current, so a run's sensitivities stay in its report;
            // otherwise (or with --sensitivities, for a result without them) it is run as `scenario run` would.
            let current = sensitivities ? nil : try service.storedResult(scenario.id, onlyIfCurrent: true, includeEntities: true)
            let outcome = try current ?? ScenarioFiles.run(scenario.id, with: service, force: false, includeEntities: true,
                                                           sensitivities: sensitivities)
            let diff: ScenarioDiff?
            do {
                diff = try other.map { try service.diff(scenario.id, $0.id, computing: true) }
            } catch let error as EngineError {
                throw error.storeError
            }
            // The movers the charts draw are explained from one more load and propagation.
            let data = try ScenarioFiles.engineErrors {
                try ReportData(scenario: scenario, outcome: outcome, diff: diff) { ids in
                    try service.explain(scenario.id, entities: ids, depth: 1)
                }
            }
            let page = ReportPage(data: data).html
            if let file {
                try file.write(Array(page.utf8))
                StoreOutput.note("wrote \(file.path)")
            } else {
                FileHandle.standardOutput.write(Data(page.utf8))
            }
        }
    }
}
