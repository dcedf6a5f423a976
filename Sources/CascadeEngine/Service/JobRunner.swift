import CascadeStore
import Foundation

/// A worker: claims run requests from the queue table, runs them with `ScenarioService`, and
/// completes each in the transaction that stores its result. `cascade worker` runs one per
/// process; `cascade serve` runs them in-process.
///
/// While a job runs, a heartbeat thread (with its own connection) renews the lease every third
/// of its length, so only a worker that stopped (killed, crashed, cut off) loses its job to
/// another. A worker that lost its lease anyway writes nothing: the completion checks it first.
///
/// A Monte Carlo run's draws are split into chunks of at most `chunkDraws` that any worker may
/// compute (`DrawChunkWork`): a worker with no job to claim computes a chunk of a running one.
package final class JobRunner: @unchecked Sendable {
    package let owner: String
    package let leaseSeconds: Double
    package let maxAttempts: Int
    /// Draws per chunk of a Monte Carlo run, at most; a run with no more draws is not split.
    package let chunkDraws: Int
    /// Seconds between looks at the chunks of its job that other workers are computing.
    package let chunkPoll: Double
    /// Called after this worker stored a chunk's impacts (a seam for tests that interleave workers).
    package var chunkStored: ((DrawChunk) -> Void)?
    private let store: Store
    private let heartbeat: Heartbeat
    /// The run prepared for the last job this worker computed chunks of.
    private var helped: (jobID: String, run: PreparedScenario)?

    /// `store` is used only by this runner (from one thread at a time).
    package init(store: Store, owner: String, leaseSeconds: Double = 30, maxAttempts: Int = 3, chunkDraws: Int = 1_000,
                 chunkPoll: Double = 0.1) throws {
        self.store = store
        self.owner = owner
        self.leaseSeconds = leaseSeconds
        self.maxAttempts = maxAttempts
        self.chunkDraws = max(1, chunkDraws)
        self.chunkPoll = chunkPoll
        store.actor = "worker:\(owner)"
        heartbeat = try Heartbeat(store: Store(store.location, actor: store.actor), leaseSeconds: leaseSeconds)
    }

    deinit { heartbeat.stop() }

    /// Claims and runs the next job; returns it as it ended, or nil when nothing was waiting.
    package func runNext(log: (String) -> Void = { _ in }) throws -> RunJob? {
        guard let job = try store.claimJob(owner: owner, leaseSeconds: leaseSeconds, maxAttempts: maxAttempts) else { return nil }
        let lease = JobLease(jobID: job.id, owner: owner)
        log("claimed job \(job.id) (scenario \(job.scenarioID), attempt \(job.attempts))")
        heartbeat.track(lease)
        defer { heartbeat.track(nil) }
        do {
            let work = chunkWork
            let outcome = try withoutActuallyEscaping(log) { log in
                try ScenarioService(store: store).run(job.scenarioID, force: job.force, sensitivities: job.sensitivities, lease: lease,
                                                      draws: { try work.mergedDraws($0, job: lease, log: log) })
            }
            log("finished job \(job.id): \(outcome.isCached ? "cached" : "computed") \(outcome.fingerprint)")
        } catch let error as StoreError where error.kind == .leaseLost {
            log("gave up job \(job.id): \(error.message)")
        } catch {
            log("job \(job.id) failed: \(error)")
            do {
                try store.finishJob(lease, status: .failed, error: String(describing: error))
            } catch let error as StoreError where error.kind == .leaseLost {
                log("gave up job \(job.id): \(error.message)")
            }
        }
        return try store.job(job.id)
    }

    /// Claims a chunk of a running Monte Carlo job's draws and computes it; false when none waits.
    package func runNextChunk(log: (String) -> Void = { _ in }) throws -> Bool {
        try chunkWork.computeNextChunk(prepared: &helped, log: log)
    }

    private var chunkWork: DrawChunkWork {
        DrawChunkWork(store: store, owner: owner, leaseSeconds: leaseSeconds, maxAttempts: maxAttempts, chunkDraws: chunkDraws,
                      poll: chunkPoll, track: { [heartbeat] in heartbeat.track(chunk: $0) }, stored: chunkStored)
    }

    /// Runs jobs until `shouldStop` says so, waiting on `wakeUp` (or polling every `poll` seconds)
    /// while the queue is empty. A failure to reach the store is logged and retried after a pause.
    package func run(poll: Double, wakeUp: WakeUpSignal? = nil, shouldStop: () -> Bool, log: (String) -> Void) {
        while !shouldStop() {
            do {
                if try runNext(log: log) != nil || runNextChunk(log: log) { continue }
            } catch {
                log("cannot reach the queue: \(error)")
            }
            if let wakeUp { wakeUp.wait(seconds: poll) } else { Thread.sleep(forTimeInterval: poll) }
        }
    }
}

/// Wakes in-process workers as soon as a job is queued, instead of at their next poll.
package final class WakeUpSignal: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending = 0

    package init() {}

    package func signal() {
        condition.lock()
        pending += 1
        condition.signal()
        condition.unlock()
    }

    func wait(seconds: Double) {
        condition.lock()
        if pending == 0 { _ = condition.wait(until: Date(timeIntervalSinceNow: seconds)) }
        pending = max(0, pending - 1)
        condition.unlock()
    }
}

/// Renews the leases of the job and the chunk of draws its runner is working on, on its own
/// thread and connection.
private final class Heartbeat: @unchecked Sendable {
    private let condition = NSCondition()
    private var lease: JobLease?
    private var chunk: ChunkLease?
    private var isStopped = false
    private let store: Store
    private let leaseSeconds: Double

    init(store: Store, leaseSeconds: Double) throws {
        self.store = store
        self.leaseSeconds = leaseSeconds
        let thread = Thread { [self] in loop() }
        thread.name = "cascade-heartbeat"
        thread.start()
    }

    func track(_ lease: JobLease?) {
        condition.lock()
        self.lease = lease
        condition.unlock()
    }

    func track(chunk: ChunkLease?) {
        condition.lock()
        self.chunk = chunk
        condition.unlock()
    }

    func stop() {
        condition.lock()
        isStopped = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        condition.lock()
        while !isStopped {
            _ = condition.wait(until: Date(timeIntervalSinceNow: leaseSeconds / 3))
            guard !isStopped, lease != nil || chunk != nil else { continue }
            let (lease, chunk) = (self.lease, self.chunk)
            condition.unlock()
            if let lease { _ = try? store.renewLease(lease, leaseSeconds: leaseSeconds) }
            if let chunk { _ = try? store.renewChunkLease(chunk, leaseSeconds: leaseSeconds) }
            condition.lock()
        }
        condition.unlock()
    }
}
