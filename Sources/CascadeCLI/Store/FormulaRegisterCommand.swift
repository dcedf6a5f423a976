import ArgumentParser
import CascadeFormula
import CascadeEngine
import CascadeJSON
import CascadeStore

/// `cascade formula register FILE.json [--inactive] [--dry-run] [--force] [--allow-untested]`.
struct FormulaRegisterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Check a formula version document, run its test cases, and store it as the next version.",
        discussion: """
            A new version is active at once (as the seed's registry does) unless --inactive. Before an \
            active version is stored, every relationship that references the formula by name alone is \
            bound against its parameters as a run would bind it; if any would fail, nothing is written \
            and each is listed (--force registers it anyway). At least one test case is required \
            (--allow-untested stores a version without, marked untested). A document with a `backtest` spec is \
            measured on the store's history and stored with the measured r², MAE and RMSE; a claim more than \
            1e-4 off is refused (--trust-claimed keeps it).
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "A formula version document (JSON).")
    var file: String

    @Flag(help: "Store the version inactive: no run picks it until `cascade formula activate NAME@V`.")
    var inactive = false

    @Flag(name: .customLong("dry-run"), help: "Run every check and print what would happen; write nothing.")
    var dryRun = false

    @Flag(help: "Register an active version even though it breaks relationships that reference the formula by name.")
    var force = false

    @Flag(name: .customLong("allow-untested"), help: "Accept a version with no test cases (it is marked untested).")
    var allowUntested = false

    @Flag(name: .customLong("trust-claimed"),
          help: "Keep the document's r_squared/mae/rmse even where its own backtest measures otherwise.")
    var trustClaimed = false

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let document = try FormulaDocumentFile.read(file)
            let opened = try store.openStore()
            let check = try opened.checkForRegistration(document, file: file, allowUntested: allowUntested, trustClaimed: trustClaimed)
            for warning in check.warnings {
                StoreOutput.note("warning: \(warning.path): \(warning.message)" + (warning.hint.map { " (hint: \($0))" } ?? ""))
            }
            if let existing = try opened.existingVersion(of: document) {
                let reference = "\(document.name)@\(existing)"
                if store.json {
                    StoreOutput.printJSON(.object(JSONObject([("ok", .bool(true)), ("name", .string(document.name)),
                                                              ("version", .number(Double(existing))), ("new", .bool(false)),
                                                              ("dry_run", .bool(dryRun))])))
                } else {
                    StoreOutput.print("\(reference) already holds this text and these parameters; nothing registered")
                }
                return
            }
            let world = inactive ? nil : try EngineWorld.load(from: opened)
            let breakage = world.map { FormulaRollout.breakage(registering: document, in: $0) } ?? []
            let next = (try opened.history(named: document.name).map(\.version).max() ?? 0) + 1
            try FormulaActivation.guardBreakage(breakage, of: "registering \(document.name)@\(next)", force: force)
            let state = inactive ? "inactive" : "active"
            let cases = "\(document.testCases.count) test case\(document.testCases.count == 1 ? "" : "s") passed"
            if dryRun {
                if store.json {
                    StoreOutput.printJSON(.object(JSONObject([
                        ("ok", .bool(true)), ("name", .string(document.name)), ("version", .number(Double(next))), ("new", .bool(true)),
                        ("is_active", .bool(!inactive)), ("dry_run", .bool(true)),
                        ("breaks", .array(breakage.map(FormulaRollout.json))), ("warnings", .array(check.warnings.map(\.json))),
                    ])))
                } else {
                    StoreOutput.print("would register \(document.name)@\(next) (\(state); \(cases)); nothing was written (--dry-run)")
                }
                return
            }
            if let backtest = check.backtest, !store.json {
                let m = backtest.metrics
                StoreOutput.note("backtest: n \(m.n), r² \(StoreOutput.number(m.rSquared)), MAE \(JSNumber.format(m.mae)), RMSE \(JSNumber.format(m.rmse)) (\(backtest.spec.from) … \(backtest.spec.to))")
            }
            let registration = try opened.register(document, file: file, isActive: !inactive, allowUntested: allowUntested,
                                                   trustClaimed: trustClaimed)
            if store.json {
                guard case .object(var object) = registration.json else { return }
                object["is_active"] = .bool(!inactive)
                object["breaks"] = .array(breakage.map(FormulaRollout.json))
                object["backtest"] = check.backtest?.summaryJSON ?? .null
                StoreOutput.printJSON(.object(object))
            } else {
                StoreOutput.print("registered \(registration.reference) (\(state); \(cases))")
            }
        }
    }
}
