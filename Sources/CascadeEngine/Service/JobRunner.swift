import CascadeStore
import Foundation

/// A worker: claims run requests from the queue table, runs them with `ScenarioService`, and
/// completes each in the transaction that stores its result. `cascade worker` runs one per
/// process; `cascade serve` runs them in-process.
///
/// While a job runs, a heartbeat thread (with its own connection) renews the lease every third
/// of its length, so only a worker that stopped (killed, crashed, cut off) loses its job to
/// another. A worker that lost its lease anyway writes nothing: the completion checks it first.
package final class JobRunner: @unchecked Sendable {
    package let owner: String
    package let leaseSeconds: Double
    package let maxAttempts: Int
    private let store: Store
    private let heartbeat: Heartbeat

    /// `store` is used only by this runner (from one thread at a time).
    package init(store: Store, owner: String, leaseSeconds: Double = 30, maxAttempts: Int = 3) throws {
        self.store = store
        self.owner = owner
        self.leaseSeconds = leaseSeconds
        self.maxAttempts = maxAttempts
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
            let outcome = try ScenarioService(store: store).run(job.scenarioID, force: job.force, sensitivities: job.sensitivities,
                                                                   lease: lease)
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

    /// Runs jobs until `shouldStop` says so, waiting on `wakeUp` (or polling every `poll` seconds)
    /// while the queue is empty. A failure to reach the store is logged and retried after a pause.
    package func run(poll: Double, wakeUp: WakeUpSignal? = nil, shouldStop: () -> Bool, log: (String) -> Void) {
        while !shouldStop() {
            do {
                if try runNext(log: log) != nil { continue }
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

/// Renews the lease of the job its runner is working on, on its own thread and connection.
private final class Heartbeat: @unchecked Sendable {
    private let condition = NSCondition()
    private var lease: JobLease?
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
            guard !isStopped, let lease else { continue }
            condition.unlock()
            _ = try? store.renewLease(lease, leaseSeconds: leaseSeconds)
            condition.lock()
        }
        condition.unlock()
    }
}
