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

    /// Opens the store and checks its schema. The embedded default is created, with the sample
    /// loaded, the first time it is used; an explicitly named store never populates itself.
    func openStore(requireSchema: Bool = true) throws -> Store {
        let (location, isDefault) = StoreLocation.resolve(option: db, environment: ProcessInfo.processInfo.environment)
        if isDefault, case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) {
            let store = try Store(location)
            let loaded: SampleLoader.Loaded
            do {
                try store.migrate()
                loaded = try SampleLoader.load(into: store)
            } catch {
                // Leave no half-made default behind: the next command tries again.
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
                throw error
            }
            if !json {
                StoreOutput.note("cascade: created \(path) with the sample (\(loaded.summary))")
            }
            return store
        }
        let store = try Store(location)
        if requireSchema { try store.requireCurrentSchema() }
        return store
    }
}
