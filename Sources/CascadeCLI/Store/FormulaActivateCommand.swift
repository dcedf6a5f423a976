import ArgumentParser
import CascadeEngine
import CascadeJSON
import CascadeStore

/// `cascade formula activate NAME@V [--dry-run] [--force]`.
struct FormulaActivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activate", abstract: "Mark a version active (recorded in the audit log).",
        discussion: """
            Every relationship that references the formula by name alone is first bound against the \
            version's parameters as a run would bind it; if any would fail, nothing changes and each \
            is listed (--force activates it anyway).
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "NAME@VERSION.")
    var reference: String

    @Flag(name: .customLong("dry-run"), help: "Run the check and print what would happen; change nothing.")
    var dryRun = false

    @Flag(help: "Activate the version even though it breaks relationships that reference the formula by name.")
    var force = false

    func run() throws { try FormulaActivation.toggle(reference, true, store, force: force, dryRun: dryRun) }
}

enum FormulaActivation {
    static func toggle(_ text: String, _ isActive: Bool, _ options: StoreOptions, force: Bool = false, dryRun: Bool = false) throws {
        try StoreOutput.run(json: options.json) {
            let reference = try FormulaReference.parseArgument(text, requireVersion: true)
            let store = try options.openStore()
            var breakage: [EngineError.Problem] = []
            if isActive {
                let version = try store.formula(reference)
                if !version.isActive {
                    breakage = FormulaRollout.breakage(of: RegistryFormula(version), in: try EngineWorld.load(from: store))
                    try guardBreakage(breakage, of: "activating \(reference)", force: force)
                }
            }
            let state = isActive ? "active" : "inactive"
            if dryRun {
                let wouldChange = try store.formula(reference).isActive != isActive
                if options.json {
                    StoreOutput.printJSON(.object(JSONObject([("ok", .bool(true)), ("formula", .string(reference.description)),
                                                              ("is_active", .bool(isActive)), ("changed", .bool(false)),
                                                              ("would_change", .bool(wouldChange)), ("dry_run", .bool(true)),
                                                              ("breaks", .array(breakage.map(FormulaRollout.json)))])))
                } else {
                    StoreOutput.print(wouldChange ? "would make \(reference) \(state); nothing was changed (--dry-run)"
                                                  : "\(reference) is already \(state); nothing would change")
                }
                return
            }
            let changed = try store.setActive(reference, isActive)
            if options.json {
                StoreOutput.printJSON(.object(JSONObject([("ok", .bool(true)), ("formula", .string(reference.description)),
                                                          ("is_active", .bool(isActive)), ("changed", .bool(changed)),
                                                          ("breaks", .array(breakage.map(FormulaRollout.json)))])))
            } else {
                StoreOutput.print(changed ? "\(reference) is now \(state)" : "\(reference) was already \(state); nothing changed")
            }
        }
    }

    /// Refuses (writing nothing) when `breakage` is not empty, unless `force`, which only warns.
    static func guardBreakage(_ breakage: [EngineError.Problem], of action: String, force: Bool) throws {
        guard !breakage.isEmpty else { return }
        guard force else { throw FormulaRollout.refusal(breakage, action, override: "--force") }
        StoreOutput.note("warning: \(FormulaRollout.summary(breakage, action)) (--force):")
        for problem in breakage { StoreOutput.note("  \(problem.location): \(problem.message)") }
    }
}
