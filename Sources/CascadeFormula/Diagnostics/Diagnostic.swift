/// A problem found in a formula, at a place in its source.
///
/// Every diagnostic has a stable `code` (`"syntax.unexpected-token"`, `"forbidden.loop"`, …) whose
/// first component is its `kind`; messages are lowercase, quote tokens with backticks, and the
/// `hint` says what to do instead where there is something to say.
public struct Diagnostic: Hashable, Sendable, Error, CustomStringConvertible {
    /// What sort of problem this is; the `kind` of the JSON error objects in `docs/formats.md`.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case syntax, name, type, forbidden, limit, runtime
    }

    /// How serious the problem is.
    public enum Severity: String, Hashable, Sendable {
        case error, warning, note
    }

    /// A suggested replacement of the diagnostic's range (or of `range` when given).
    public struct FixIt: Hashable, Sendable {
        public var range: SourceRange
        public var replacement: String

        public init(range: SourceRange, replacement: String) {
            self.range = range
            self.replacement = replacement
        }
    }

    public var kind: Kind
    /// A stable identifier such as `"type.mismatch"`; tests and scripts may match on it.
    public var code: String
    public var severity: Severity
    public var message: String
    public var range: SourceRange
    public var hint: String?
    public var fixIt: FixIt?

    public init(
        _ kind: Kind, _ code: String, _ message: String, at range: SourceRange,
        severity: Severity = .error, hint: String? = nil, fixIt: FixIt? = nil
    ) {
        self.kind = kind
        self.code = "\(kind.rawValue).\(code)"
        self.severity = severity
        self.message = message
        self.range = range
        self.hint = hint
        self.fixIt = fixIt
    }

    public var isError: Bool { severity == .error }

    public var description: String { "\(severity.rawValue)[\(code)]: \(message) at \(range)" }
}

/// A formula that failed at run time (or hit a run-time limit), with the place of the failing node.
public struct FormulaError: Error, Hashable, Sendable, CustomStringConvertible {
    public var diagnostic: Diagnostic

    public init(_ diagnostic: Diagnostic) { self.diagnostic = diagnostic }

    public var description: String { diagnostic.description }
}
