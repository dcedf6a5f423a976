import CascadeJSON
import CascadeStore

// Engine and scenario failures as the store's user-facing error, with every problem and its
// place: the one conversion the CLI, the HTTP API and the workers share.

extension ScenarioError {
    /// `context` says what was not valid, e.g. "scenarios/x.json is not a valid scenario".
    package func storeError(_ context: String) -> StoreError {
        StoreError(.invalidInput, "\(context) (\(problems.count) problem\(problems.count == 1 ? "" : "s")); nothing was stored",
                   problems: problems)
    }
}

extension EngineError {
    package var storeError: StoreError {
        switch kind {
        case .overBudget:
            return StoreError(.invalidInput, "the run was not started: it would need more memory than its budget; nothing was stored",
                              hint: "fewer distinct causes (entity shocks) or a smaller graph; CASCADE_MEMORY_BUDGET (e.g. 16G) sets the budget, by default half the machine's memory",
                              problems: problems.map { CascadeJSON.Problem(path: $0.location, code: "engine.memory-budget", message: $0.message) })
        case .nonFinite:
            return StoreError(.invalidInput, "the run failed: \(problems.count == 1 ? "a value" : "\(problems.count) values") did not stay a finite number; nothing was stored",
                              hint: "results must be finite numbers; lower the level's `damping` or `clamp` bounds, or the weights on the path",
                              problems: problems.map { CascadeJSON.Problem(path: $0.location, code: "engine.non-finite", message: $0.message) })
        case .binding:
            return StoreError(.invalidInput, "the scenario cannot run: \(problems.count) problem\(problems.count == 1 ? "" : "s") in the graph or its formulas",
                   hint: "fix them in the world file or the registry and re-import",
                   problems: problems.map { CascadeJSON.Problem(path: $0.location, code: "engine.binding", message: $0.message, rendered: $0.detail) })
        }
    }
}
