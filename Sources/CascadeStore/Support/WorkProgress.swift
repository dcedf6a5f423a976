/// How far a long operation (an import, a run on a large world) has got: its current phase and,
/// where it can be counted, how much of that phase is done. Reported to a `(WorkProgress) -> Void`
/// handler as the work goes; the command line draws it as a bar on a terminal and as periodic
/// lines elsewhere.
package struct WorkProgress: Sendable, Equatable {
    /// What is being done, e.g. `writing relationships`.
    package var phase: String
    package var done: Int
    /// 0 when the phase cannot be counted.
    package var total: Int
    /// What `done` counts, e.g. `rows`.
    package var unit: String

    package init(_ phase: String, done: Int = 0, total: Int = 0, unit: String = "") {
        self.phase = phase
        self.done = done
        self.total = total
        self.unit = unit
    }

    /// The fraction done, when counted.
    package var fraction: Double? { total > 0 ? min(1, Double(done) / Double(total)) : nil }

    /// `writing relationships 300000/500000 rows (60%)`, or the phase alone.
    package var line: String {
        guard let fraction else { return done > 0 ? "\(phase) \(done) \(unit)" : phase }
        return "\(phase) \(done)/\(total) \(unit) (\(Int(fraction * 100))%)"
    }
}
