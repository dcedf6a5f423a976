import CascadeJSON
import CascadeStore

extension ScenarioService {
    /// The stored result of a scenario, without computing anything: with `onlyIfCurrent`, only
    /// when nothing was written to the store since it was computed (the cheap first check of
    /// `run`); otherwise whatever was stored last. `cached` in it says whether it was computed by
    /// an earlier run (true) or is being handed out by the run that computed it (false). With
    /// `sensitivities` given, only a result that has sensitivities (true) or has none (false).
    package func storedResult(_ scenarioID: String, onlyIfCurrent: Bool, includeEntities: Bool, cached: Bool = true,
                             sensitivities: Bool? = nil) throws -> Outcome? {
        guard let stored = try store.scenario(scenarioID), let fingerprint = stored.resultFingerprint else { return nil }
        if onlyIfCurrent, stored.resultDataVersion != (try store.dataVersion()) { return nil }
        guard var outcome = try cachedOutcome(stored.id, fingerprint: fingerprint, includeEntities: includeEntities,
                                              sensitivities: sensitivities) else { return nil }
        if !cached, var summary = outcome.summary.objectValue {
            summary["cached"] = .bool(false)
            outcome.summary = .object(summary)
            outcome.isCached = false
        }
        return outcome
    }
}
