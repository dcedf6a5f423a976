import CascadeStore
import Foundation

/// A queued Monte Carlo run's draws split over workers (`JobRunner`'s part of it).
///
/// The worker that claims the job prepares the run, splits its draws into chunks
/// (`run_draw_chunks`) and computes chunks itself; a worker that finds no job to claim claims a
/// chunk of a running job instead (`computeNextChunk`). Every draw has its own generator
/// (`Xoshiro256StarStar(seed:draw:)`), so a chunk's impacts are exactly those a single-process
/// run computes for its draws; the job's worker places them in draw order and the summary is
/// computed from them by the same code as a single-process run's, so the stored result is
/// byte for byte the same. A job with one chunk runs exactly as it would without a queue.
///
/// Chunks are leased like jobs: the heartbeat renews a worker's chunk, and a chunk whose worker
/// stopped is claimed again once its lease expires (failed after `maxAttempts` claims). A failed
/// chunk — a draw whose value is not finite, or a worker whose run of the scenario has another
/// fingerprint than the job's because the world changed — fails the job with that chunk's error
/// (the lowest chunk's, once every chunk ended: the error a single-process run gives).
struct DrawChunkWork {
    let store: Store
    let owner: String
    let leaseSeconds: Double
    let maxAttempts: Int
    /// Draws per chunk, at most (`cascade worker --chunk-draws`).
    let chunkDraws: Int
    /// Seconds between looks at the chunks other workers are computing.
    let poll: Double
    /// Tells the heartbeat which chunk lease to renew (nil: none).
    let track: (ChunkLease?) -> Void
    /// Called after a chunk's impacts were stored (tests use it to interleave workers).
    let stored: ((DrawChunk) -> Void)?

    /// The chunks of `draws` draws of `entities` entities: `chunkDraws` draws each (the last
    /// fewer), or fewer when one chunk's impacts would exceed `Store.resultPartBytes` bytes.
    static func ranges(draws: Int, entities: Int, chunkDraws: Int) -> [Range<Int>] {
        let fitting = max(1, Store.resultPartBytes / max(1, entities * MemoryLayout<Double>.size))
        let size = max(1, min(chunkDraws, fitting))
        return stride(from: 0, to: draws, by: size).map { $0..<min($0 + size, draws) }
    }

    /// The job's side: the impacts of every draw of `prepared`, computed in chunks by this worker
    /// and any other that claims one; nil when the scenario has no draws or they fit one chunk
    /// (the run computes them itself, as it always did). The memory budget is checked before
    /// anything is planned or allocated. Throws `leaseLost` when the worker lost the job, and
    /// the lowest failed chunk's error when a chunk failed.
    func mergedDraws(_ prepared: PreparedScenario, job lease: JobLease, log: (String) -> Void) throws -> DrawImpacts? {
        guard let monteCarlo = prepared.run.scenario.monteCarlo else { return nil }
        let entities = prepared.computedEntities
        let ranges = Self.ranges(draws: monteCarlo.draws, entities: entities.count, chunkDraws: chunkDraws)
        guard ranges.count > 1 else { return nil }
        try prepared.requireDrawBudget(monteCarlo.draws, budget: Engine.memoryBudget())
        let fingerprint = prepared.fingerprint
        _ = try store.planDrawChunks(lease, ranges: ranges, fingerprint: fingerprint)
        log("job \(lease.jobID): \(monteCarlo.draws) draws in \(ranges.count) chunks")
        var chunks: [DrawChunk] = []
        while true {
            if let chunk = try store.claimDrawChunk(owner: owner, leaseSeconds: leaseSeconds, maxAttempts: maxAttempts, jobID: lease.jobID) {
                try compute(chunk, log: log, with: { prepared })
                continue
            }
            chunks = try store.drawChunks(jobID: lease.jobID)
            if chunks.allSatisfy(\.isFinished) { break }
            guard try store.holdsJob(lease) else {
                throw StoreError(.leaseLost, "job \(lease.jobID) is no longer leased to \(lease.owner)",
                                 hint: "its lease expired and another worker took it over")
            }
            Thread.sleep(forTimeInterval: poll)
        }
        if let failed = chunks.first(where: { $0.status == .failed }) {
            throw DrawChunkFailure(description: failed.error ?? "draws \(failed.draws) of job \(lease.jobID) failed")
        }
        var merged = DrawImpacts(entities: entities, draws: 0..<monteCarlo.draws)
        for chunk in chunks {
            guard chunk.fingerprint == fingerprint, let bytes = try store.drawChunkImpacts(jobID: lease.jobID, index: chunk.index),
                  merged.place(bytes, draws: chunk.draws) else {
                throw DrawChunkFailure(description: "draws \(chunk.draws) of job \(lease.jobID) were stored for another run "
                                       + "(fingerprint \(chunk.fingerprint), the job's is \(fingerprint)) or are not one impact per entity and draw "
                                       + "(hint: run the scenario again)")
            }
        }
        return merged
    }

    /// The helper's side: claims a chunk of any running job and computes it; false when none
    /// waits. `prepared` keeps the run of the last job helped, so a job's chunks are prepared once.
    func computeNextChunk(prepared: inout (jobID: String, run: PreparedScenario)?, log: (String) -> Void) throws -> Bool {
        guard let chunk = try store.claimDrawChunk(owner: owner, leaseSeconds: leaseSeconds, maxAttempts: maxAttempts) else { return false }
        log("claimed draws \(chunk.draws) of job \(chunk.jobID) (attempt \(chunk.attempts))")
        try compute(chunk, log: log) {
            if let prepared, prepared.jobID == chunk.jobID { return prepared.run }
            prepared = nil
            let run = try prepare(jobID: chunk.jobID)
            prepared = (chunk.jobID, run)
            return run
        }
        return true
    }

    /// The job's run as the job's own worker prepares it (`ScenarioService.run`): the stored
    /// scenario, with the job's options, over the store's current world.
    private func prepare(jobID: String) throws -> PreparedScenario {
        guard let job = try store.job(jobID) else {
            throw StoreError(.notFound, "no job `\(jobID)`", hint: "it was deleted while its draws were computed")
        }
        let service = ScenarioService(store: store)
        let (_, scenario) = try service.storedScenario(job.scenarioID, sensitivities: job.sensitivities)
        return try Engine.prepare(scenario, world: service.loadWorld().world)
    }

    /// Computes a claimed chunk and stores its impacts, or its failure: a draw's error, a run
    /// that cannot be prepared, or a run whose fingerprint is not the chunk's. A chunk this
    /// worker no longer holds is left to the worker that does.
    private func compute(_ chunk: DrawChunk, log: (String) -> Void, with prepared: () throws -> PreparedScenario) throws {
        guard let lease = chunk.lease else { return }
        track(lease)
        defer { track(nil) }
        do {
            let run = try prepared()
            guard run.fingerprint == chunk.fingerprint else {
                try store.failDrawChunk(lease, error: "the world changed while job \(chunk.jobID) ran: its draws belong to the run with "
                                        + "fingerprint \(chunk.fingerprint), the store's world now gives \(run.fingerprint) "
                                        + "(hint: run the scenario again)")
                log("draws \(chunk.draws) of job \(chunk.jobID): the world changed since the job started")
                return
            }
            let impacts = try run.drawImpacts(chunk.draws)
            try store.completeDrawChunk(lease, impacts: impacts.bytes)
            log("computed draws \(chunk.draws) of job \(chunk.jobID)")
            stored?(chunk)
        } catch let error as StoreError where error.kind == .leaseLost {
            log("gave up draws \(chunk.draws) of job \(chunk.jobID): \(error.message)")
        } catch let error as EngineError {
            try store.failDrawChunk(lease, error: String(describing: error))
            log("draws \(chunk.draws) of job \(chunk.jobID) failed: \(error)")
        } catch let error as ScenarioError {
            try store.failDrawChunk(lease, error: String(describing: error))
            log("draws \(chunk.draws) of job \(chunk.jobID) failed: \(error)")
        }
    }
}

/// A chunk of a queued run's draws failed: its error, as the worker that computed it gave it.
struct DrawChunkFailure: Error, CustomStringConvertible {
    let description: String
}
