#if canImport(Glibc)
import Glibc
#endif

/// How a pass evaluates the edges into a level's acyclic targets from earlier levels: in
/// batches per program (`Propagator+Kernel.swift`), or one edge at a time. Both give the same
/// bits; `scalar` is there to compare against (the differential tests, the benchmark).
enum PropagationKernel: String, Sendable, Equatable, CaseIterable {
    case batched, scalar

    /// `CASCADE_KERNEL` (`batched` or `scalar`), else `batched`.
    static func fromEnvironment() throws(EngineError) -> PropagationKernel {
        try parse(getenv("CASCADE_KERNEL").map { String(cString: $0) })
    }

    /// The kernel `text` (the variable's value; nil or empty: unset) asks for.
    static func parse(_ text: String?) throws(EngineError) -> PropagationKernel {
        guard let text, !text.isEmpty else { return .batched }
        guard let kernel = PropagationKernel(rawValue: text) else {
            throw EngineError(problems: [.init(location: "CASCADE_KERNEL",
                                               message: "`\(text)` is not a propagation kernel; write `batched` (the default) or `scalar`")])
        }
        return kernel
    }
}
