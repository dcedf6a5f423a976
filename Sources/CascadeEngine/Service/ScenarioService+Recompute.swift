import CascadeStore

extension ScenarioService {
    /// Plans a run of a stored scenario against its previous stored result (see `RecomputePlan`):
    /// a result that cannot be read or decoded, or `force`, makes the run full — never an error,
    /// since a full run needs nothing from it.
    func recomputePlan(_ scenarioID: String, prepared: PreparedScenario, world: EngineWorld, force: Bool) -> RecomputePlan {
        if force { return .full(reason: "--force recomputes every entity") }
        if let reason = RecomputePlan.reasonForFullRun(prepared.run.scenario) { return .full(reason: reason) }
        // The summary first: the columns (the bulk of a large result) are read only when it says
        // they can be reused.
        guard let summary = try? store.result(scenarioID: scenarioID, includeEntities: false) else {
            return .full(reason: "no previous result")
        }
        guard let screened = PreviousResult(summary: summary.summary, table: nil, registry: world.formulas) else {
            return .full(reason: "the previous result's summary is not one this engine wrote")
        }
        if case .full(let reason) = RecomputePlan.screen(prepared.run, previous: screened, largestShare: RecomputePlan.largestRecomputedShare) {
            return .full(reason: reason)
        }
        guard let stored = try? store.result(scenarioID: scenarioID, includeEntities: true) else {
            return .full(reason: "no previous result")
        }
        var table: ResultTable?
        if let columns = stored.columns {
            do {
                table = try ResultColumns.decode(columns, world: stored.worldColumns).table
            } catch {
                return .full(reason: "the previous result's columns are damaged")
            }
        }
        guard let previous = PreviousResult(summary: stored.summary, table: table, registry: world.formulas) else {
            return .full(reason: "the previous result's summary is not one this engine wrote")
        }
        return RecomputePlan.make(prepared.run, previous: previous)
    }
}
