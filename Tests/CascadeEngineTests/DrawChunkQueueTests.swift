@testable import CascadeEngine
import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

/// A queued Monte Carlo run's draws split into chunks that several workers (`JobRunner`s on
/// separate `Store`s, as separate processes would be) compute: the stored result is the one a
/// single-process run stores, byte for byte.
@Suite(.serialized)
struct DrawChunkQueueTests {
    typealias Backend = ScenarioServiceTests.Backend

    /// `fed-rate-cut-2025.json` with three distributions, a correlation and `draws` draws.
    static func document(name: String, draws: Int) throws -> JSONValue {
        var document = try ScenarioServiceTests.scenarioFile("fed-rate-cut-2025.json").objectValue!
        let members = MonteCarloRunTests.uncertain.replacingOccurrences(of: #""draws": 400"#, with: #""draws": \#(draws)"#)
        for (key, value) in try JSONValue.parse("{\(members)}").objectValue! { document[key] = value }
        document["name"] = .string(name)
        return .object(document)
    }

    /// The stored result's text (keys sorted) without what differs between two runs of the same
    /// inputs (the phases' times, where the world and its digest were read from), and its fingerprint.
    static func storedResult(_ store: Store, _ id: String) throws -> (text: String, fingerprint: String) {
        let stored = try #require(try store.result(scenarioID: id))
        var summary = try #require(stored.summary.objectValue)
        var stats = summary["stats"]?.objectValue ?? JSONObject()
        for key in ["timings_ms", "cpu_timings_ms", "duration_ms", "world", "world_digest"] { stats[key] = nil }
        summary["stats"] = .object(stats)
        #expect(stored.columns == nil && stored.entityTexts.isEmpty, "the sample world's result is stored whole in its row")
        return (JSONValue.object(summary).withSortedKeys().serialized(), summary["fingerprint"]?.stringValue ?? "")
    }

    /// Runs `id` once in this process (`cascade run`'s path) and returns the stored result.
    static func singleProcessResult(_ store: Store, _ id: String) throws -> (text: String, fingerprint: String) {
        _ = try ScenarioService(store: store).run(id, force: true)
        return try storedResult(store, id)
    }

    /// Waits for `condition` (true), looking every 10 ms, for at most 60 s.
    static func waitFor(_ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(60)
        while try !condition() {
            guard Date() < deadline else { throw WaitExpired(what: what) }
            usleep(10_000)
        }
    }

    struct WaitExpired: Error, CustomStringConvertible {
        let what: String
        var description: String { "waited 60 s for \(what)" }
    }

    /// Two workers polling the queue: one claims the 400-draw job and splits it into four chunks
    /// of 100; each worker, once it stored a chunk, waits until the other has claimed one, so
    /// both compute chunks. The stored result (document, summary and fingerprint) is the
    /// single-process run's byte for byte, and the chunks' impacts are dropped once merged.
    @Test(arguments: Backend.available)
    func twoWorkersComputeChunksOfOneRunAndStoreTheSingleProcessResult(_ backend: Backend) throws {
        try backend.withSampleStore { store in
            let service = ScenarioService(store: store)
            let (id, _) = try service.submit(try Self.document(name: "uncertain, in chunks", draws: 400), today: "2025-06-30")
            let expected = try Self.singleProcessResult(store, id)
            let job = try store.enqueueRun(scenarioID: id, requestedBy: "tests", force: true).job

            let names = ["worker-a", "worker-b"]
            let stop = Flag(), finished = DispatchGroup()
            for (k, name) in names.enumerated() {
                let runner = try JobRunner(store: Store(store.location), owner: name, chunkDraws: 100, chunkPoll: 0.01)
                let observer = try Store(store.location)
                let other = names[1 - k]
                runner.chunkStored = { chunk in
                    try? Self.waitFor("\(other) to claim a chunk") {
                        try observer.drawChunks(jobID: chunk.jobID).contains { $0.owner == other }
                    }
                }
                finished.enter()
                let thread = Thread {
                    runner.run(poll: 0.01, shouldStop: { stop.isRaised }, log: { _ in })
                    finished.leave()
                }
                thread.start()
            }
            defer {
                stop.raise()
                finished.wait()
            }
            try Self.waitFor("the job to finish") { try store.job(job.id)?.isFinished == true }
            let ended = try #require(try store.job(job.id))
            #expect(ended.status == .succeeded, "\(ended.error ?? "")")
            let chunks = try store.drawChunks(jobID: job.id)
            #expect(chunks.map(\.draws) == [0..<100, 100..<200, 200..<300, 300..<400])
            #expect(chunks.allSatisfy { $0.status == .done }, "\(chunks)")
            #expect(Set(chunks.compactMap(\.owner)) == Set(names), "chunks computed by \(chunks.map { $0.owner ?? "-" })")
            #expect(try chunks.allSatisfy { try store.drawChunkImpacts(jobID: job.id, index: $0.index) == nil }, "merged chunks keep their bytes")
            let result = try Self.storedResult(store, id)
            #expect(result.fingerprint == expected.fingerprint)
            #expect(result.text == expected.text)
            #expect(result.text.contains(#""distribution":{"mean":"#))
        }
    }

    /// A worker claims the job, plans its chunks and claims the first, then stops (its leases
    /// expire unrenewed). Another worker takes the job over, keeps the chunks, computes the
    /// others and claims the stopped one's chunk again once its lease expired: the result is
    /// still the single-process run's.
    @Test(arguments: Backend.available)
    func aStoppedWorkersChunkIsClaimedAgainAndTheResultIsUnchanged(_ backend: Backend) throws {
        try backend.withSampleStore { store in
            let service = ScenarioService(store: store)
            let (id, _) = try service.submit(try Self.document(name: "uncertain, taken over", draws: 400), today: "2025-06-30")
            let expected = try Self.singleProcessResult(store, id)
            let queued = try store.enqueueRun(scenarioID: id, requestedBy: "tests", force: true).job

            let stopped = try #require(try store.claimJob(owner: "stopped", leaseSeconds: 0.3))
            #expect(stopped.id == queued.id)
            let prepared = try Engine.prepare(try service.storedScenario(id, sensitivities: false).scenario, world: EngineWorld.load(from: store))
            let ranges = DrawChunkWork.ranges(draws: 400, entities: prepared.computedEntities.count, chunkDraws: 100)
            _ = try store.planDrawChunks(JobLease(jobID: queued.id, owner: "stopped"), ranges: ranges, fingerprint: prepared.fingerprint)
            let held = try #require(try store.claimDrawChunk(owner: "stopped", leaseSeconds: 0.3, jobID: queued.id))
            #expect(held.index == 0 && held.attempts == 1)

            let survivor = try JobRunner(store: Store(store.location), owner: "survivor", chunkDraws: 100, chunkPoll: 0.01)
            var ended: RunJob?
            try Self.waitFor("the stopped worker's job lease to expire") {
                ended = try survivor.runNext()
                return ended != nil
            }
            #expect(ended?.status == .succeeded && ended?.attempts == 2, "\(String(describing: ended))")
            let chunks = try store.drawChunks(jobID: queued.id)
            #expect(chunks.map(\.draws) == ranges)
            #expect(chunks.allSatisfy { $0.status == .done && $0.owner == "survivor" }, "\(chunks)")
            #expect(chunks.first?.attempts == 2, "the stopped worker's chunk was not claimed again: \(chunks)")
            let result = try Self.storedResult(store, id)
            #expect(result.fingerprint == expected.fingerprint)
            #expect(result.text == expected.text)
        }
    }

    /// The world changes while a job's draws are computed: the worker that prepares the run after
    /// the change has another fingerprint, refuses its chunk, and the job fails saying why;
    /// nothing is stored for the scenario.
    @Test(arguments: Backend.available)
    func aChunkOfAChangedWorldFailsTheJobWithTheReason(_ backend: Backend) throws {
        try backend.withSampleStore { store in
            let service = ScenarioService(store: store)
            let (id, _) = try service.submit(try Self.document(name: "uncertain, world changed", draws: 400), today: "2025-06-30")
            let job = try store.enqueueRun(scenarioID: id, requestedBy: "tests", force: true).job
            let helper = try JobRunner(store: Store(store.location), owner: "late", chunkDraws: 100, chunkPoll: 0.01)
            let first = try JobRunner(store: Store(store.location), owner: "first", chunkDraws: 100, chunkPoll: 0.01)
            let writer = try Store(store.location)
            var helped = false
            first.chunkStored = { _ in
                guard !helped else { return }
                helped = true
                // A calibration the run reads, in force on its as_of: the run's fingerprint changes.
                _ = try? writer.addCoefficient(SectorCoefficient(sector: "SEMICONDUCTOR", coefficientType: "gdp_elasticity",
                                                                 value: 2.1, effectiveDate: "2025-03-01"))
                _ = try? helper.runNextChunk()
            }
            let ended = try #require(try first.runNext())
            #expect(helped)
            #expect(ended.id == job.id && ended.status == .failed)
            #expect(ended.error?.hasPrefix("the world changed while job \(job.id) ran") == true, "\(ended.error ?? "")")
            #expect(ended.error?.contains("(hint: run the scenario again)") == true, "\(ended.error ?? "")")
            let chunks = try store.drawChunks(jobID: job.id)
            #expect(chunks.filter { $0.status == .failed }.map(\.owner) == ["late"], "\(chunks)")
            #expect(try store.scenario(id)?.resultFingerprint == nil, "a result was stored")
        }
    }

    /// Through a worker, a point scenario and a Monte Carlo scenario whose draws fit one chunk run
    /// as they always did: no chunks, and the single-process result.
    @Test(arguments: Backend.available)
    func pointAndOneChunkRunsAreNotSplit(_ backend: Backend) throws {
        try backend.withSampleStore { store in
            let service = ScenarioService(store: store)
            let runner = try JobRunner(store: Store(store.location), owner: "alone", chunkDraws: 100)
            for document in [try ScenarioServiceTests.scenarioFile("fed-rate-cut-2025.json"),
                             try Self.document(name: "uncertain, one chunk", draws: 100)] {
                let (id, _) = try service.submit(document, today: "2025-06-30")
                let expected = try Self.singleProcessResult(store, id)
                let job = try store.enqueueRun(scenarioID: id, requestedBy: "tests", force: true).job
                let ended = try #require(try runner.runNext())
                #expect(ended.id == job.id && ended.status == .succeeded, "\(ended.error ?? "")")
                #expect(try store.drawChunks(jobID: job.id).isEmpty)
                let result = try Self.storedResult(store, id)
                #expect(result.fingerprint == expected.fingerprint && result.text == expected.text)
            }
        }
    }

    /// Chunks of `chunkDraws` draws, the last one shorter; fewer draws each when a chunk's
    /// impacts would exceed one stored part.
    @Test func theDrawsSplitIntoRanges() {
        #expect(DrawChunkWork.ranges(draws: 250, entities: 10, chunkDraws: 100) == [0..<100, 100..<200, 200..<250])
        #expect(DrawChunkWork.ranges(draws: 100, entities: 10, chunkDraws: 100) == [0..<100])
        let perPart = Store.resultPartBytes / (1_000_000 * 8)
        #expect(DrawChunkWork.ranges(draws: 20, entities: 1_000_000, chunkDraws: 1_000).first == 0..<perPart)
    }

    /// A chunk's bytes placed into the merged impacts give the impacts computed at once.
    @Test func placedChunksAreTheWholeRunsImpacts() throws {
        try MonteCarloRunTests.withSampleWorld { world in
            let prepared = try Engine.prepare(try MonteCarloRunTests.scenario(MonteCarloRunTests.uncertain), world: world)
            let whole = try prepared.drawImpacts(0..<30)
            var merged = DrawImpacts(entities: whole.entities, draws: 0..<30)
            for range in [20..<30, 0..<7, 7..<20] {
                let placed = merged.place(try prepared.drawImpacts(range).bytes, draws: range)
                #expect(placed)
            }
            #expect(merged == whole)
            let short = merged.place([0, 1, 2], draws: 0..<1)
            let beyond = merged.place(try prepared.drawImpacts(25..<31).bytes, draws: 25..<31)
            #expect(!short && !beyond, "a short chunk or draws beyond the run were placed")
            #expect(merged == whole)
        }
    }
}

/// Set once, read from any thread.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false

    var isRaised: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }

    func raise() {
        lock.lock()
        raised = true
        lock.unlock()
    }
}
