import ArgumentParser
import CascadeStore
import Foundation

/// `--db` and `--json`, shared by every command that uses the store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A SQLite file path or a postgres:// URL (default: $CASCADE_DB, else .cascade/cascade.sqlite).",
        valueName: "location"))
    var db: String?

    @Flag(name: .long, help: "Print results (and errors) as JSON on stdout.")
    var json = false

    /// The store named by `--db`, else `CASCADE_DB`, else the embedded default.
    var location: StoreLocation {
        StoreLocation.resolve(option: db, environment: ProcessInfo.processInfo.environment).location
    }

    /// Opens an existing store and checks its schema. The embedded default is created, with the
    /// sample loaded, the first time it is used; a store named by `--db` or `CASCADE_DB` must
    /// exist (only `cascade init` creates one, see `withStore(creating:_:)`).
    func openStore() throws -> Store {
        try withStore(creating: false) { $0 }
    }

    /// Opens the store — creating a SQLite file when `creating` (for `init`) or when it is the
    /// embedded default — and runs `body` with it. A SQLite file this call created is removed
    /// again when setting it up or `body` fails, so a failed command leaves no half-made store.
    /// Never creates a directory, and refuses a path that holds anything but a SQLite database.
    func withStore<T>(creating: Bool, _ body: (Store) throws -> T) throws -> T {
        let (location, isDefault) = StoreLocation.resolve(option: db, environment: ProcessInfo.processInfo.environment)
        guard case .sqlite(let path) = location, path != ":memory:" else {
            let store = try Store(location)
            if !creating { try store.requireCurrentSchema() }
            return try body(store)
        }
        if isDefault { try FileManager.default.createDirectory(atPath: SQLiteFile.parentDirectory(of: path), withIntermediateDirectories: true) }
        switch try SQLiteFile.state(of: path) {
        case .database:
            let store = try Store(location)
            if !creating { try store.requireCurrentSchema() }
            return try body(store)
        case .missingDirectory where creating:
            let directory = SQLiteFile.parentDirectory(of: path)
            throw StoreError(.io, "no directory `\(directory)` for the store \(path)",
                             hint: "create the directory first (`mkdir -p \(directory)`); cascade does not create directories")
        case .missing where creating || isDefault:
            do {
                let store = try Store(location)
                if isDefault {
                    try store.migrate()
                    let loaded = try SampleLoader.find().load(into: store)
                    if !json { StoreOutput.note("cascade: created \(path) with the sample (\(loaded.summary))") }
                }
                return try body(store)
            } catch {
                SQLiteFile.remove(path)
                throw error
            }
        case .missing, .missingDirectory:
            throw StoreError(.notFound, "no store at \(path); create it with `cascade init --db \(path)`",
                             hint: "only `cascade init` creates a store (the embedded default \(StoreLocation.defaultPath) creates itself)")
        }
    }
}
