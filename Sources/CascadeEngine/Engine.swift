#if canImport(Glibc)
import Glibc
#endif
import CascadeFormula
import CascadeJSON

/// Scenario propagation: prepare (resolve and bind everything, or report every problem), then
/// fingerprint the resolved inputs and propagate.
package enum Engine {
    /// The engine's semantics version, part of every fingerprint.
    package static var version: String { PreparedRun.engineVersion }

    /// Resolves the world for the scenario; throws every problem that would stop the run.
    /// `baselines: .history(on: date)` takes every macro baseline from `macro_data` on or before
    /// `date`, over `metadata.current_value` (the replay of history, `cascade backtest`).
    package static func prepare(_ scenario: Scenario, world: EngineWorld,
                               baselines: MacroBaselines = .current) throws(EngineError) -> PreparedScenario {
        let clock = ContinuousClock()
        let start = clock.now
        let run = try PreparedRun.prepare(scenario, world: world, baselines: baselines)
        return PreparedScenario(run: run, prepareTime: clock.now - start)
    }

    /// Graphs with more computed entities than this report only those that moved or failed.
    package static let fullReportLimit = 10_000

    /// The most memory a run's attribution tables may take, in bytes: `CASCADE_MEMORY_BUDGET`
    /// (a byte count with an optional K, M, G or T suffix, powers of 1024), else half of the
    /// machine's physical memory. A run that would need more fails before allocating it.
    package static func memoryBudget() throws(EngineError) -> Int {
        if let text = getenv("CASCADE_MEMORY_BUDGET").map({ String(cString: $0) }), !text.isEmpty {
            guard let bytes = byteCount(text) else {
                throw EngineError(problems: [.init(location: "CASCADE_MEMORY_BUDGET",
                                                   message: "`\(text)` is not a size; write bytes or a number with K, M, G or T, e.g. 16G")],
                                  kind: .overBudget)
            }
            return bytes
        }
        return sysconf(Int32(_SC_PHYS_PAGES)) * sysconf(Int32(_SC_PAGESIZE)) / 2
    }

    /// `16G` → 17 179 869 184; nil for anything but a positive whole number with an optional suffix.
    static func byteCount(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = Substring(text.uppercased())
        var unit = 1
        if let last = digits.last, let scale = units[last] {
            unit = scale
            digits = digits.dropLast()
        }
        guard let count = Int(digits), count > 0 else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: unit)
        return overflow ? nil : bytes
    }
}

/// This thread's CPU time in milliseconds (on a busy machine wall time also counts waiting).
func threadCPUMilliseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1e6
}
