import ArgumentParser
import CascadeJSON
import CascadeStore
import Foundation

/// `cascade import WORLD.json…`: validate everything, then write all of it or nothing.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load entities, relationships, coefficients, macro and financial data and formulas from world files, all or nothing.",
        discussion: """
            Several files (a world split into parts) are imported in one transaction, in the order given: a later \
            file may refer to what an earlier one defines, a problem in any file writes nothing, and a large \
            table's indexes are rebuilt once, after the last file.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "The world file, or the parts of one in order (JSON, see docs/formats.md).")
    var files: [String]

    @Flag(name: .long, help: "No progress on stderr (a bar on a terminal, periodic lines otherwise).")
    var quiet = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name the world file to import") }
    }

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let opened = try store.openStore()
            let display = ProgressDisplay("import", quiet: quiet)
            defer { display.finish() }
            let reports = try opened.importWorlds(paths: files, progress: display.report)
            display.finish()
            if store.json {
                var objects: [JSONValue] = []
                for report in reports {
                    guard case .object(var o) = report.json else { continue }
                    o["ok"] = .bool(true)
                    objects.append(.object(o))
                }
                // One file: its report, as always; several: one report per file, in order.
                StoreOutput.printJSON(objects.count == 1 ? objects[0] : .object(JSONObject([("ok", .bool(true)), ("files", .array(objects))])))
            } else {
                for report in reports { printTable(report, into: opened.location.description) }
            }
        }
    }

    private func printTable(_ report: ImportReport, into location: String) {
        let file = report.file ?? ""
        let tables = ["entities", "relationships", "sector_coefficients", "macro_data", "financial_data", "formulas"]
        let rows = tables.map { [$0, String(report.rowsRead[$0] ?? 0), String(report.rowsWritten[$0] ?? 0)] }
        StoreOutput.print("imported \(file) into \(location)")
        StoreOutput.print(StoreOutput.table(["table", "in file", "written"], rows))
        for r in report.formulas { StoreOutput.print("formula \(r.reference)\(r.isNew ? "" : " (already registered)")") }
        if report.totalWritten == 0 { StoreOutput.print("nothing changed: the store already holds this \(files.count == 1 ? "world" : "file")") }
    }
}
