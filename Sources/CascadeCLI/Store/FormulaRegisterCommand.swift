import ArgumentParser
import CascadeJSON
import CascadeStore

/// `cascade formula register FILE.json`.
struct FormulaRegisterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Check a formula version document, run its test cases, and store it as the next version.")

    @OptionGroup var store: StoreOptions

    @Argument(help: "A formula version document (JSON).")
    var file: String

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let document = try FormulaDocumentFile.read(file)
            let opened = try store.openStore()
            let registration = try opened.register(document, file: file)
            for warning in registration.warnings {
                StoreOutput.note("warning: \(warning.path): \(warning.message)" + (warning.hint.map { " (hint: \($0))" } ?? ""))
            }
            if store.json {
                StoreOutput.printJSON(registration.json)
            } else if registration.isNew {
                StoreOutput.print("registered \(registration.reference) (\(document.testCases.count) test case\(document.testCases.count == 1 ? "" : "s") passed)")
            } else {
                StoreOutput.print("\(registration.reference) already holds this text and these parameters; nothing registered")
            }
        }
    }
}
