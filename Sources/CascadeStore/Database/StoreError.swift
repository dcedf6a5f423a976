import CascadeJSON

/// A failure the user can act on: what went wrong, where, and what to do about it.
///
/// Problems found while validating input (a world file, a formula document) are collected in
/// `problems`, one per bad value, each with its own place, so a user can fix them all at once.
package struct StoreError: Error, Sendable, CustomStringConvertible {
    /// A broad class of failure; new kinds may be added.
    package struct Kind: Hashable, Sendable, CustomStringConvertible {
        package let name: String
        init(_ name: String) { self.name = name }
        package var description: String { name }

        package static let invalidInput = Kind("invalid-input")
        package static let notFound = Kind("not-found")
        package static let conflict = Kind("conflict")
        package static let schema = Kind("schema")
        package static let connection = Kind("connection")
        package static let database = Kind("database")
        package static let io = Kind("io")
        /// A worker finishing a job whose lease it no longer holds.
        package static let leaseLost = Kind("lease-lost")
        /// The caller may not do this (another author's scenario, a role without the right).
        package static let forbidden = Kind("forbidden")
    }

    package var kind: Kind
    package var message: String
    /// A file, JSON path or `line:column` the message refers to.
    package var location: String?
    package var hint: String?
    package var problems: [Problem]
    /// The SQL that failed and the backend's result code, for database failures.
    package var sql: String?
    package var code: String?

    package init(
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

    package var description: String {
        var text = location.map { "\($0): \(message)" } ?? message
        if let hint { text += " (hint: \(hint))" }
        return text
    }

    /// Whether retrying the whole transaction may succeed: a serialization failure or deadlock, a
    /// busy SQLite file, or a race the writer itself recognised and reported as `.conflict`.
    /// A unique-key violation is not transient: retrying a constraint bug cannot fix it.
    package var isTransient: Bool {
        if kind == .conflict { return true }
        guard let code else { return false }
        return ["40001", "40P01", "SQLITE_BUSY", "SQLITE_LOCKED"].contains(code)
    }

    /// A unique or primary-key violation, on either backend.
    package var isUniqueViolation: Bool {
        guard let code else { return false }
        return ["23505", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"].contains(code)
    }
}

extension StoreError {
    /// The error with its problems located in `source`, the text of the document they are about
    /// (see `Problem.located(in:)`).
    package func located(in source: [UInt8]) -> StoreError {
        var error = self
        error.problems = problems.located(in: source)
        return error
    }
}
