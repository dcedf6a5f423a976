import CascadeEngine
import CascadeJSON
import CascadeStore
import Foundation

extension API {
    static let runEndpoints: [Endpoint] = [
        Endpoint(method: .post, path: "/v1/scenarios/{id}/runs", access: .runners,
                 query: ["force", "wait", "entities", "use", "sensitivities"],
                 summary: "Run a scenario (or return its cached result)") { call in
            let pins = try (call.query["use"]).map { text in
                try text.split(separator: ",", omittingEmptySubsequences: false).map {
                    try FormulaReference.parseArgument(String($0), requireVersion: true, location: "?use")
                }
            } ?? []
            let scenario = try await visibleScenario(call)
            let force = try call.flag("force")
            let wait = try call.integer("wait", default: 0, in: 0...300)
            let entities = try call.flag("entities", default: true)
            // `?sensitivities=true` travels with the job to the worker; a cached result without
            // sensitivities never answers it.
            let sensitivities = try call.flag("sensitivities")
            if !pins.isEmpty {
                let id = scenario.id
                return result(try await call.store { store in
                    try ScenarioService(store: store).run(id, pinning: pins, includeEntities: entities,
                                                          sensitivities: sensitivities, location: "?use")
                }, entities: entities)
            }
            if !force, let outcome = try await call.store({ store in
                try ScenarioService(store: store).storedResult(scenario.id, onlyIfCurrent: true, includeEntities: entities,
                                                               sensitivities: sensitivities ? true : nil)
            }) {
                return result(outcome, entities: entities)
            }
            let requestedBy = call.user.username
            let job = try await call.store { store in
                try store.enqueueRun(scenarioID: scenario.id, requestedBy: requestedBy, force: force, sensitivities: sensitivities).job
            }
            call.api.wakeUp.signal()
            return try await jobReply(job, call, waitSeconds: wait, entities: entities)
        },
        Endpoint(method: .get, path: "/v1/runs/{id}", access: .everyone, query: ["wait", "entities"],
                 summary: "Show a run request, or its result once done") { call in
            let id = call.parameter("id"), user = call.user
            let wait = try call.integer("wait", default: 0, in: 0...300)
            let entities = try call.flag("entities", default: true)
            let found = try await call.store { store -> (RunJob, StoredScenario?)? in
                guard let job = try store.job(id) else { return nil }
                return (job, try store.scenario(job.scenarioID))
            }
            guard let (job, scenario) = found, let scenario, user.canSee(scenario) else {
                throw APIError.notFound("no run `\(id)` that you can see")
            }
            return try await jobReply(job, call, waitSeconds: wait, entities: entities)
        },
        Endpoint(method: .get, path: "/v1/scenarios/{id}/result", access: .everyone, query: ["entities"],
                 summary: "Fetch a scenario's last result") { call in
            let scenario = try await visibleScenario(call)
            let entities = try call.flag("entities", default: true)
            guard let outcome = try await call.store({ store in
                try ScenarioService(store: store).storedResult(scenario.id, onlyIfCurrent: false, includeEntities: entities)
            }) else {
                throw APIError(.notFound, "no_result", "scenario `\(scenario.id)` has no result yet",
                               hint: "POST /v1/scenarios/\(scenario.id)/runs runs it")
            }
            return result(outcome, entities: entities)
        },
    ]

    /// A job's state after waiting up to `waitSeconds` for it: 200 with the result once it
    /// succeeded, 422 with the reason if it failed, 202 with the job while it is queued or running.
    static func jobReply(_ initial: RunJob, _ call: APICall, waitSeconds: Int, entities: Bool) async throws -> APIReply {
        var job = initial
        let deadline = ContinuousClock.now + .seconds(waitSeconds)
        var pause = Duration.milliseconds(10)
        while !job.isFinished && ContinuousClock.now < deadline {
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(200))
            let id = job.id
            job = try await call.store { store in try store.job(id) } ?? job
        }
        switch job.status {
        case .succeeded:
            let scenarioID = job.scenarioID, cached = job.cached ?? true
            if let outcome = try await call.store({ store in
                try ScenarioService(store: store).storedResult(scenarioID, onlyIfCurrent: false, includeEntities: entities, cached: cached)
            }) {
                var reply = result(outcome, entities: entities)
                reply.headers.append(("X-Cascade-Run", job.id))
                return reply
            }
            return .json(job.json)
        case .failed:
            throw APIError(.unprocessableContent, "run_failed", job.error ?? "the run failed",
                           hint: "GET /v1/runs/\(job.id) shows the request")
        case .queued, .running:
            var reply = APIReply.json(job.json, status: .accepted)
            reply.headers.append(("Location", "/v1/runs/\(job.id)"))
            reply.headers.append(("Retry-After", "1"))
            return reply
        }
    }

    /// A result document (`docs/formats.md`), whole or without its entity list.
    static func result(_ outcome: ScenarioService.Outcome, entities: Bool) -> APIReply {
        entities ? APIReply(status: .ok, document: outcome) : APIReply(status: .ok, jsonText: outcome.summary.serialized())
    }
}
