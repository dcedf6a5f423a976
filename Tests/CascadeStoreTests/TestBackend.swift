@testable import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

/// The backends the conformance suite runs against: SQLite always, PostgreSQL when
/// `CASCADE_TEST_POSTGRES_URL` names a server (the README's test command starts one).
enum TestBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgresql

    var testDescription: String { rawValue }

    static var postgresURL: String? { TestStores.postgresURL }

    static var isCI: Bool { TestStores.isCI }

    /// SQLite, plus PostgreSQL when a server is available.
    static let available: [TestBackend] = {
        if postgresURL != nil { return [.sqlite, .postgresql] }
        FileHandle.standardError.write(Data(
            "CascadeStoreTests: CASCADE_TEST_POSTGRES_URL is not set; PostgreSQL conformance tests are skipped (run scripts/test.sh)\n".utf8))
        return [.sqlite]
    }()

    /// A fresh, empty location: a new SQLite file, or a new PostgreSQL schema.
    func freshLocation() throws -> (location: StoreLocation, cleanup: () -> Void) {
        let fresh = try TestStores.fresh(postgres: self == .postgresql, prefix: "cascade-store")
        return (fresh.location, fresh.cleanup)
    }

    /// Runs `body` with a migrated store at a fresh location, then removes it.
    func withStore<T>(clock: @escaping @Sendable () -> Date = { Date(timeIntervalSince1970: 1_767_225_600) },
                      _ body: (Store) throws -> T) throws -> T {
        let (location, cleanup) = try freshLocation()
        defer { cleanup() }
        let store = try Store(location, actor: "tester", clock: clock)
        try store.migrate()
        return try body(store)
    }
}

@Test func postgresIsAvailableUnderCI() {
    if TestBackend.isCI && TestBackend.postgresURL == nil {
        Issue.record("CI=true but CASCADE_TEST_POSTGRES_URL is not set: the PostgreSQL conformance suite cannot run")
    }
}
