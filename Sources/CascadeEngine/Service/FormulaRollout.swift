import CascadeFormula
import CascadeJSON
import CascadeStore

/// What making a formula version the one runs pick would break.
///
/// A relationship that references a formula by name alone (`metadata.formula = "name"`) binds
/// whichever version is active on a run's date, so registering or activating a version whose
/// parameters it cannot bind breaks every run through it. This binds the world exactly as a run
/// does — twice, with and without the version in force, as of the latest date — and reports the
/// relationships that bind today and would not with it. Pinned references (`name@3`) are never
/// affected; relationships that already fail are not the version's doing and are not reported.
package enum FormulaRollout {
    /// The relationships that `candidate`, in force, would stop binding — each with the reason a
    /// run would give. Empty when it breaks nothing (or when another active version of its name
    /// would still be the one picked).
    /// - Complexity: two preparations of the world: O(V + E) each.
    package static func breakage(of candidate: RegistryFormula, in world: EngineWorld) -> [EngineError.Problem] {
        var before = world
        before.formulas.removeAll { $0.name == candidate.name && $0.version == candidate.version }
        var after = before
        var inForce = candidate
        inForce.isActive = true
        after.formulas.append(inForce)
        let failingBefore = Set(problems(in: before).map(relationshipLocation))
        return problems(in: after).filter { !failingBefore.contains(relationshipLocation($0)) }
    }

    /// The breakage of registering `document` as the next version of its name.
    package static func breakage(registering document: FormulaDocument, in world: EngineWorld) -> [EngineError.Problem] {
        let next = (world.formulas.filter { $0.name == document.name }.map(\.version).max() ?? 0) + 1
        return breakage(of: RegistryFormula(document, version: next), in: world)
    }

    /// The error that refuses a rollout with `breakage` (nothing written), every relationship
    /// listed as a problem; `override` is how the caller forces it (`--force`, `?force=true`).
    package static func refusal(_ breakage: [EngineError.Problem], _ action: String, override: String) -> StoreError {
        StoreError(.conflict, "\(summary(breakage, action)); nothing was written",
                   hint: "bind the new parameters in each relationship's metadata.bindings, pin the old version (`name@N`), or pass \(override)",
                   problems: breakage.map { Problem(path: $0.location, code: "formula.breaks-relationship", message: $0.message) })
    }

    /// "registering x@3 would break 2 relationships that reference the formula by name".
    package static func summary(_ breakage: [EngineError.Problem], _ action: String) -> String {
        let count = Set(breakage.map(relationshipLocation)).count
        return "\(action) would break \(count) relationship\(count == 1 ? "" : "s") that reference\(count == 1 ? "s" : "") the formula by name"
    }

    /// A scenario that moves nothing, dated after every version's effective date, so each
    /// unpinned reference binds the highest active version.
    static let probe = Scenario(name: "formula rollout check", author: "cascade", macroVariables: [:], asOf: "9999-12-31")

    static func problems(in world: EngineWorld) -> [EngineError.Problem] {
        do {
            _ = try Engine.prepare(probe, world: world)
            return []
        } catch {
            return error.problems
        }
    }

    /// One broken relationship as the register and activate answers list it under `breaks`.
    package static func json(_ problem: EngineError.Problem) -> JSONValue {
        .object(JSONObject([("relationship", .string(relationshipLocation(problem))), ("location", .string(problem.location)),
                            ("message", .string(problem.message))]))
    }

    /// `relationship rel-7` for `relationship rel-7 (binding of `x`)`: one key per relationship.
    package static func relationshipLocation(_ problem: EngineError.Problem) -> String {
        guard let open = problem.location.range(of: " (") else { return problem.location }
        return String(problem.location[..<open.lowerBound])
    }
}

extension RegistryFormula {
    /// A registry formula from a stored version.
    package init(_ version: FormulaVersion) {
        self.init(version.document, version: version.version, isActive: version.isActive, contentHash: version.contentHash)
    }

    /// A registry formula from a version document, under `version`.
    package init(_ document: FormulaDocument, version: Int, isActive: Bool = true, contentHash: String? = nil) {
        self.init(name: document.name, version: version, text: document.formulaText,
                  parameters: Dictionary(uniqueKeysWithValues: document.parameters.map { ($0.key, $0.value.stringValue ?? "") }),
                  effectiveDate: document.effectiveDate, isActive: isActive, contentHash: contentHash ?? document.contentHash)
    }
}
