import CascadeFormula
import CascadeJSON

/// The checks a scenario must pass against the world before it is stored, so an author's
/// mistake fails at submit with its JSON path and a hint — not silently, and not at run time:
///
/// - a macro variable that binds no MACRO entity and that no formula of the world reads (a typo
///   drops the shock) — with "did you mean" over the variables that exist;
/// - a bare value for a `%` or `bp` variable that is implausible as a decimal (over 100 %: `2.5`
///   for 2.5 %) — unless the document gave its unit explicitly;
/// - an `entity_shocks` key that is no entity id — with "did you mean" over ids and names.
enum ScenarioValidation {
    /// `prepared` is the scenario already resolved against `world`, when the caller has it (it is
    /// used once every shocked id is known: the variables do not depend on the shocks).
    static func problems(_ scenario: Scenario, explicitUnits: Set<String>, world: EngineWorld,
                         prepared: PreparedRun? = nil) -> [Problem] {
        var problems: [Problem] = []
        let root = JSONPath.root

        let (ids, names) = world.entityIDsAndNames
        // A scenario the world was prepared for has an entity for every shocked id (`prepare`
        // checks each): the set of every id (1 M strings hashed) is then not built.
        let unknownShocks: [String]
        if prepared == nil {
            let idSet = Set(ids)
            unknownShocks = scenario.entityShocks.keys.sorted(by: byteOrder).filter { !idSet.contains($0) }
        } else {
            unknownShocks = []
        }
        for id in unknownShocks {
            var message = "no entity has the id `\(id)`"
            var hint: String?
            if let index = names.firstIndex(of: id) {
                message += " (`\(id)` is the name of `\(ids[index])`; shocks are keyed by id)"
            } else if let near = Suggestion.closest(to: id, among: ids) {
                hint = "did you mean `\(near)`?"
            } else if let near = Suggestion.closest(to: id, among: names), let index = names.firstIndex(of: near) {
                hint = "did you mean `\(ids[index])`, \(near)?"
            }
            problems.append(Problem(path: root.appending("entity_shocks").appending(id).description, code: "scenario.unknown-entity",
                                    message: message, hint: hint))
        }

        // The variables as a run binds them: prepared without the shocks, whose problems are above.
        let run: PreparedRun
        if problems.isEmpty, let prepared {
            run = prepared
        } else {
            var unshocked = scenario
            unshocked.entityShocks = [:]
            guard let unshockedRun = try? PreparedRun.prepare(unshocked, world: world) else {
                return problems  // the world itself does not bind: the run reports that, not the scenario
            }
            run = unshockedRun
        }
        var read = Set<Int>()
        for program in run.programs { read.formUnion(program.variablesRead) }
        let known = run.variableNames.indices.filter { run.variableIsBound[$0] || read.contains($0) }.map { run.variableNames[$0] }
        var bindingEntity: [Int: Int] = [:]
        for (entity, v) in run.macroVariable.enumerated() where v >= 0 { bindingEntity[v] = entity }
        for (name, value) in scenario.macroVariables.sorted(by: { byteOrder($0.key, $1.key) }) {
            guard let v = run.variableNames.firstIndex(of: name) else { continue }
            let path = root.appending("macro_variables").appending(name).description
            if !run.variableIsBound[v] && !read.contains(v) {
                problems.append(Problem(path: path, code: "scenario.unused-variable",
                                        message: "`\(name)` binds no MACRO entity and no formula of the world reads it, so it would move nothing",
                                        hint: Suggestion.closest(to: name, among: known).map { "did you mean `\($0)`?" }))
                continue
            }
            guard let entity = bindingEntity[v], !explicitUnits.contains(name),
                  let unit = run.metadata(entity)["unit"]?.stringValue else { continue }
            let divisor = (1 / Units.scale(unit)).rounded()  // 100 for %, 10 000 for bp
            guard divisor > 1 else { continue }
            // A distribution's parameters each meet the same check, at their own paths.
            var checked = [(path: path, what: "", value: value)]
            if let distribution = scenario.monteCarlo?.distributions[name] {
                let (kind, parameters) = distribution.parameters
                checked = parameters.map { (root.appending("macro_variables").appending(name).appending(kind).appending($0.0).description, "`\($0.0)` of ", $0.1) }
            }
            for (path, what, value) in checked where abs(value) > 1 {
                let asUnit = JSNumber.format(value * divisor), meant = JSNumber.format(value / divisor)
                let fix = what.isEmpty ? "{\"value\": \(JSNumber.format(value)), \"unit\": \"\(unit)\"}" : "\"unit\": \"\(unit)\" beside the parameters"
                problems.append(Problem(path: path, code: "scenario.implausible-value",
                                        message: "\(what)`\(name)` is in \(unit) and scenarios write decimals: \(JSNumber.format(value)) is \(asUnit) \(unit)",
                                        hint: "did you mean \(meant) (\(JSNumber.format(value)) \(unit))? To write the unit, use \(fix)"))
            }
        }
        return problems
    }
}

extension EngineWorld {
    /// Entity ids and names, position by position (from the columns of a loaded world without
    /// materialising records).
    var entityIDsAndNames: (ids: [String], names: [String]) {
        if let columns { return (columns.entityIDs, columns.entityNames) }
        return (entities.map(\.id), entities.map(\.name))
    }
}
