#if canImport(Glibc)
import Glibc
#endif

/// How many threads one propagation pass uses, and from what size a level is split across them
/// (`Propagator+Threads.swift`).
///
/// One thread is the single-threaded pass exactly. With more, each level's components are
/// grouped in waves (a component's wave is one past the latest wave of the same-level
/// components it reads), and a wave with at least `minimumEdges` incoming edges is cut into
/// contiguous ranges of components, one per thread; each target is still summed by one thread,
/// in relationship order, so every value is bit-identical to the one-thread run's.
struct PropagationThreads: Sendable, Equatable {
    /// Threads, the calling one included (1: today's single-threaded pass).
    var count: Int
    /// A wave with fewer incoming edges than this is computed by the calling thread alone
    /// (waking the other threads costs more than it saves).
    var minimumEdges: Int
    /// For tests: a wave's ranges run one after another on the calling thread, the last first —
    /// one order the threads may take, made repeatable, in which a range that read another
    /// range's entities would read them before they are computed.
    var isReversed = false

    /// Below this many edges a wave is not worth splitting (a wake-up costs ~10–50 µs; an edge
    /// ~20–200 ns).
    static let defaultMinimumEdges = 4096
    /// The most threads the default uses (the graph's levels rarely profit from more).
    static let defaultMaximum = 8
    /// The most `CASCADE_THREADS` may ask for.
    static let limit = 64

    static let one = PropagationThreads(count: 1, minimumEdges: defaultMinimumEdges)

    /// `CASCADE_THREADS` (a whole number from 1 to 64), else the machine's online cores, at
    /// most 8.
    static func fromEnvironment() throws(EngineError) -> PropagationThreads {
        try parse(getenv("CASCADE_THREADS").map { String(cString: $0) },
                  cores: sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// The threads `text` (the variable's value; nil or empty: unset) asks for on a machine with `cores`.
    static func parse(_ text: String?, cores: Int) throws(EngineError) -> PropagationThreads {
        guard let text, !text.isEmpty else {
            return PropagationThreads(count: min(max(cores, 1), defaultMaximum), minimumEdges: defaultMinimumEdges)
        }
        guard let count = Int(text), (1...limit).contains(count) else {
            throw EngineError(problems: [.init(location: "CASCADE_THREADS",
                                               message: "`\(text)` is not a thread count; write a whole number from 1 to \(limit), e.g. 2 (1 propagates on one thread)")])
        }
        return PropagationThreads(count: count, minimumEdges: defaultMinimumEdges)
    }
}
