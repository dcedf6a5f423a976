import ArgumentParser
import CascadeJSON
import CascadeStore
import Foundation

/// `cascade import WORLD.json`: validate everything, then write all of it or nothing.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load entities, relationships, coefficients, macro and financial data and formulas from a world file, all or nothing.")

    @OptionGroup var store: StoreOptions

    @Argument(help: "The world file (JSON, see docs/formats.md).")
    var file: String

    @Flag(name: .long, help: "No progress on stderr (a bar on a terminal, periodic lines otherwise).")
    var quiet = false

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let opened = try store.openStore()
            let display = ProgressDisplay("import", quiet: quiet)
            defer { display.finish() }
            let report = try opened.importWorld(path: file, progress: display.report)
            display.finish()
            if store.json {
                guard case .object(var o) = report.json else { return }
                o["ok"] = .bool(true)
                StoreOutput.printJSON(.object(o))
            } else {
                let tables = ["entities", "relationships", "sector_coefficients", "macro_data", "financial_data", "formulas"]
                let rows = tables.map { [$0, String(report.rowsRead[$0] ?? 0), String(report.rowsWritten[$0] ?? 0)] }
                StoreOutput.print("imported \(file) into \(opened.location)")
                StoreOutput.print(StoreOutput.table(["table", "in file", "written"], rows))
                for r in report.formulas { StoreOutput.print("formula \(r.reference)\(r.isNew ? "" : " (already registered)")") }
                if report.totalWritten == 0 { StoreOutput.print("nothing changed: the store already holds this world") }
            }
        }
    }
}
