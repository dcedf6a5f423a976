/// Collects diagnostics up to a cap; past it, one note says how many were dropped.
struct DiagnosticSink: Sendable {
    private(set) var items: [Diagnostic] = []
    private(set) var dropped = 0
    let cap: Int

    init(cap: Int = Limits.default.maxDiagnostics) { self.cap = cap }

    var hasErrors: Bool { items.contains { $0.isError } || dropped > 0 }

    /// Keeps the first `cap` diagnostics and counts the rest — except that the first `limit`
    /// diagnostic past the cap is kept too: it says why the input was not read to its end, which
    /// matters more than the hundredth repeat of an earlier problem.
    mutating func add(_ diagnostic: Diagnostic) {
        if items.count < cap || (diagnostic.kind == .limit && items.count == cap && !items.contains { $0.kind == .limit }) {
            items.append(diagnostic)
        } else {
            dropped += 1
        }
    }

    mutating func add(
        _ kind: Diagnostic.Kind, _ code: String, _ message: String, at range: SourceRange,
        severity: Diagnostic.Severity = .error, hint: String? = nil, fixIt: Diagnostic.FixIt? = nil
    ) {
        add(Diagnostic(kind, code, message, at: range, severity: severity, hint: hint, fixIt: fixIt))
    }

    /// The diagnostics in source order, with a closing note when some were dropped.
    func sorted() -> [Diagnostic] {
        var result = items.enumerated().sorted {
            ($0.element.range.start, $0.offset) < ($1.element.range.start, $1.offset)
        }.map(\.element)
        if dropped > 0, let last = result.last {
            result.append(Diagnostic(last.kind, "too-many", "\(dropped) more problem\(dropped == 1 ? "" : "s") not shown",
                                     at: SourceRange(last.range.end, last.range.end), severity: .note))
        }
        return result
    }
}
