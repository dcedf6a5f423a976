import ArgumentParser
import CascadeEngine
import CascadeFormula
import CascadeJSON
import CascadeStore
import Foundation

/// `cascade scenario explain ID ENTITY [--depth N] [--json]`: why an entity moved, contribution by
/// contribution, down its largest sources to the macro variables.
struct ScenarioExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "Explain why an entity moved: each contribution, its formula, inputs and results, down to the macro variables.",
        discussion: "The scenario is propagated again (nothing is stored); the contributions add up to the unclamped impact, and the clamp is shown.")

    @OptionGroup var store: StoreOptions
    @Argument(help: ScenarioFiles.keyHelp) var id: String
    @Argument(help: "The entity: its id, or its name when it is unique.") var entity: String
    @Option(parsing: .unconditional, help: "Levels of sources explained (1: the entity's own contributions only).",
            transform: NumericOption.integer(1...RunExplanation.depthLimit)) var depth = 3

    func run() throws {
        try StoreOutput.run(json: store.json) {
            let opened = try store.openStore()
            let scenario = try ScenarioFiles.stored(id, in: opened)
            let explanation: RunExplanation
            do {
                explanation = try ScenarioService(store: opened).explain(scenario.id, entity: entity, depth: depth)
            } catch let error as EngineError {
                throw error.storeError
            } catch let error as ScenarioError {
                throw error.storeError("the stored scenario is not valid")
            }
            if store.json {
                StoreOutput.printJSON(explanation.json)
            } else {
                var lines = ["scenario \(explanation.scenarioName) · fingerprint \(explanation.fingerprint)", ""]
                Self.render(explanation.root, indent: "", into: &lines)
                StoreOutput.print(lines.joined(separator: "\n"))
            }
        }
    }

    static func number(_ x: Double) -> String { JSNumber.format(x) }
    static func percent(_ x: Double) -> String { String(format: "%+.2f %%", x * 100) }

    static func render(_ node: RunExplanation.Node, indent: String, into lines: inout [String]) {
        let title = "\(node.name) (\(node.id)) · \(node.type) · level \(node.level)"
        if node.isMacro {
            let unit = node.unit.map { " (\($0) variable, in decimals)" } ?? ""
            lines.append(indent + "\(title): macro variable `\(node.variable ?? "?")` \(node.baseline.map(number) ?? "?") → \(node.value.map(number) ?? "?")\(unit)")
            return
        }
        lines.append(indent + "\(title) · impact \(percent(node.impact))" + (node.cycle.map { " · \($0)" } ?? "")
                     + (node.status == "ok" ? "" : " · \(node.status)"))
        if node.isExplainedAbove {
            lines.append(indent + "  (explained above)")
            return
        }
        let counted = node.contributions.filter { $0.value != 0 }
        let sum = node.sum
        let terms = counted.isEmpty ? "0" : counted.map { number($0.value) }.joined(separator: " + ").replacingOccurrences(of: "+ -", with: "− ")
        lines.append(indent + "  sum of contributions \(terms) = \(number(sum)) (unclamped impact \(number(node.impactUnclamped)))")
        let clamp = "[\(number(node.clamp.lowerBound)), \(number(node.clamp.upperBound))]"
        lines.append(indent + (node.impact == node.impactUnclamped ? "  within the clamp \(clamp): impact \(number(node.impact))"
                                                                   : "  clamped to \(clamp): impact \(number(node.impact))"))
        for c in node.contributionsByValue {
            if c.isShock {
                lines.append(indent + "  \(percent(c.value).padding(toLength: 9, withPad: " ", startingAt: 0)) exogenous shock \(number(c.value))")
                continue
            }
            let note = switch c.note {
            case "counted": ""
            case "not_binding": " · bottleneck input, not binding (the minimum binds)"
            case "no_value": " · the formula gave no value"
            case "skipped": " · feedback edge, outside feedback_rounds"
            case "blocked": " · blocked by a disabled level"
            default: " · \(c.note)"
            }
            lines.append(indent + "  \(percent(c.value).padding(toLength: 9, withPad: " ", startingAt: 0)) \(c.relationshipID) ← \(c.sourceName) (\(c.sourceID))\(note)")
            let formula = c.formula.map { c.isInline ? "inline `\($0.replacingOccurrences(of: "\n", with: " "))`" : $0 } ?? "pass-through (the source's impact)"
            lines.append(indent + "            formula \(formula) · sign \(number(c.sign)) · damping \(number(c.damping)) · weight \(number(c.weight))")
            if !c.inputs.isEmpty {
                let reads = c.inputs.map { input in
                    input.scenario == input.baseline ? "\(input.path) = \(input.scenario.serialized())"
                        : "\(input.path) = \(input.scenario.serialized()) (baseline \(input.baseline.serialized()))"
                }
                lines.append(indent + "            reads \(reads.joined(separator: ", "))")
            }
            if let error = c.error { lines.append(indent + "            error: \(error)") }
            if let scenario = c.scenarioResult {
                let baseline = c.baselineResult ?? 0
                lines.append(indent + "            f(scenario) \(number(scenario)) − f(baseline) \(number(baseline)) = \(number(scenario - baseline))"
                             + " → \(number(c.sign)) × \(number(c.damping)) × \(number(c.weight)) × \(number(scenario - baseline))"
                             + " = \(number(c.sign * c.damping * c.weight * (scenario - baseline)))"
                             + (c.value == c.sign * c.damping * c.weight * (scenario - baseline) ? "" : "; counted \(number(c.value))"))
            }
            for (context, trace) in [("scenario", c.scenarioTrace), ("baseline", c.baselineTrace)] where !trace.isEmpty {
                lines.append(indent + "            in the \(context):")
                lines += trace.renderedLines().map { indent + "          " + $0 }
            }
        }
        for source in node.sources {
            lines.append("")
            render(source, indent: indent + "    ", into: &lines)
        }
    }
}
