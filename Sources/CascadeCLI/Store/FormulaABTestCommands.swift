import ArgumentParser
import CascadeEngine
import CascadeJSON
import CascadeStore

/// `cascade formula promote TEST [--force]`: activate the treatment, deactivate the control.
struct FormulaPromoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote", abstract: "Conclude a running A/B test: activate its treatment and deactivate its control (audited).")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The A/B test's id.") var test: String
    @Flag(help: "Promote even though the treatment breaks relationships that reference the formula by name.") var force = false

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let opened = try store.openStore()
            let recorded = try opened.abTest(test)
            let treatment = try opened.formula(FormulaReference(name: recorded.formulaName, version: recorded.treatmentVersion))
            if !treatment.isActive {
                let breakage = FormulaRollout.breakage(of: RegistryFormula(treatment), in: try EngineWorld.load(from: opened))
                try FormulaActivation.guardBreakage(breakage, of: "promoting \(treatment.reference)", force: force)
            }
            let concluded = try opened.conclude(test, .promoted)
            FormulaABTestOutput.emit(concluded, store.json, "promoted \(concluded.treatment); \(concluded.control) is inactive")
        }
    }
}

/// `cascade formula reject TEST`.
struct FormulaRejectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Conclude a running A/B test without changing any version (audited).")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The A/B test's id.") var test: String

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let concluded = try store.openStore().conclude(test, .rejected)
            FormulaABTestOutput.emit(concluded, store.json, "rejected \(concluded.treatment); \(concluded.control) stays as it was")
        }
    }
}

/// `cascade formula rollback NAME`.
struct FormulaRollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Undo the last promotion of a formula: re-activate its control, deactivate its treatment (audited).")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The formula name.") var name: String

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let test = try store.openStore().rollback(formula: name)
            FormulaABTestOutput.emit(test, store.json, "rolled back \(test.treatment); \(test.control) is active again")
        }
    }
}

/// `cascade formula tests [NAME]`: the A/B test records.
struct FormulaTestsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tests", abstract: "List the recorded A/B tests (of one formula), oldest first.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "A formula name.") var name: String?

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let tests = try store.openStore().abTests(formula: name)
            if store.json {
                StoreOutput.printJSON(.object(JSONObject([("tests", .array(tests.map(\.json)))])))
            } else if tests.isEmpty {
                StoreOutput.print("no A/B tests (hint: `cascade formula compare NAME@A NAME@B --backtest SPEC --record`)")
            } else {
                StoreOutput.print(StoreOutput.table(["id", "control", "treatment", "metric", "improvement", "status", "by"], tests.map { t in
                    [t.id, t.control, t.treatment, t.metric, t.improvement.map { StoreOutput.number($0) + " %" } ?? "-", t.status.rawValue, t.createdBy]
                }))
            }
        }
    }
}

enum FormulaABTestOutput {
    static func emit(_ test: ABTest, _ json: Bool, _ line: String) {
        if json {
            StoreOutput.printJSON(.object(JSONObject([("ok", .bool(true)), ("ab_test", test.json)])))
        } else {
            StoreOutput.print(line + " (A/B test \(test.id): \(test.status.rawValue))")
        }
    }
}
