import Dispatch

/// Reads and decodes a world file (`DecodedWorldFile`) on another thread while the caller
/// writes the previous file of the same import: on two cores, decoding a split world's next
/// file costs no wall time (it needs no database; the checks against the store still run on the
/// caller's thread, after the previous file is written, exactly as without it). Its progress is
/// recorded and replayed to the caller's `progress` when the file is taken, so the phases are
/// reported in the order a one-thread import reports them; an error it meets (unreadable file,
/// invalid JSON) is thrown by `take`, with the same message. Holds one more file's bytes and
/// rows in memory than a one-thread import.
final class DecodingAhead: @unchecked Sendable {
    /// Signalled once by the decoding thread after it has set `outcome` and `phases`; the caller
    /// reads them only after waiting for it.
    private let finished = DispatchSemaphore(value: 0)
    private var outcome: Result<DecodedWorldFile, any Error>?
    private var phases: [WorkProgress] = []
    /// Whether the caller has waited for `finished` (it is signalled once).
    private var joined = false

    /// Starts reading and decoding `path`.
    init(path: String) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            var recorded: [WorkProgress] = []
            let outcome = Result { try DecodedWorldFile(path: path) { recorded.append($0) } }
            phases = recorded
            self.outcome = outcome
            finished.signal()
        }
    }

    private func join() {
        guard !joined else { return }
        finished.wait()
        joined = true
    }

    /// Waits for the file, gives its recorded progress to `progress`, and returns it, or throws
    /// what decoding it threw. Once only.
    func take(progress: (WorkProgress) -> Void) throws -> DecodedWorldFile {
        join()
        for phase in phases { progress(phase) }
        phases = []
        guard let outcome else { preconditionFailure("DecodingAhead.take called twice") }
        self.outcome = nil
        return try outcome.get()
    }

    /// Waits for the decoding thread and drops what it decoded (the import failed before it
    /// needed the file): no thread outlives the import.
    func discard() {
        join()
        outcome = nil
        phases = []
    }
}
