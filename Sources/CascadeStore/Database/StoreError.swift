import CascadeJSON

/// A failure the user can act on: what went wrong, where, and what to do about it.
///
/// Problems found while validating input (a world file, a formula document) are collected in
/// `problems`, one per bad value, each with its own place, so a user can fix them all at once.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// A broad class of failure; new kinds may be added.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let invalidInput = Kind("invalid-input")
        public static let notFound = Kind("not-found")
        public static let conflict = Kind("conflict")
        public static let schema = Kind("schema")
        public static let connection = Kind("connection")
        public static let database = Kind("database")
        public static let io = Kind("io")
        /// A worker finishing a job whose lease it no longer holds.
        public static let leaseLost = Kind("lease-lost")
        /// The caller may not do this (another author's scenario, a role without the right).
        public static let forbidden = Kind("forbidden")
    }

    public var kind: Kind
    public var message: String
    /// A file, JSON path or `line:column` the message refers to.
    public var location: String?
    public var hint: String?
    public var problems: [Problem]
    /// The SQL that failed and the backend's result code, for database failures.
    public var sql: String?
    public var code: String?

    public init(
        _ kind: Kind, _ message: String, location: String? = nil, hint: String? = nil,
        problems: [Problem] = [], sql: String? = nil, code: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.location = location
        self.hint = hint
        self.problems = problems
        self.sql = sql
        self.code = code
    }

    public var description: String {
        var text = location.map { "\($0): \(message)" } ?? message
        if let hint { text += " (hint: \(hint))" }
        return text
    }

    /// Whether retrying the whole transaction may succeed: a serialization failure or deadlock, a
    /// busy SQLite file, or a race the writer itself recognised and reported as `.conflict`.
    /// A unique-key violation is not transient: retrying a constraint bug cannot fix it.
    public var isTransient: Bool {
        if kind == .conflict { return true }
        guard let code else { return false }
        return ["40001", "40P01", "SQLITE_BUSY", "SQLITE_LOCKED"].contains(code)
    }

    /// A unique or primary-key violation, on either backend.
    public var isUniqueViolation: Bool {
        guard let code else { return false }
        return ["23505", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"].contains(code)
    }
}

extension StoreError {
    /// The error with its problems located in `source`, the text of the document they are about
    /// (see `Problem.located(in:)`).
    public func located(in source: [UInt8]) -> StoreError {
        var error = self
        error.problems = problems.located(in: source)
        return error
    }
}
