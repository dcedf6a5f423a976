import CascadeJSON
import CascadeStore
import Foundation

/// Loads the bundled sample: every formula version document in `Formulas/`, then the sample
/// world `Scenarios/world/sample-world.json`, into a store.
enum SampleLoader {
    struct Loaded {
        var registrations: [Registration] = []
        var world: ImportReport?
        var summary: String {
            let new = registrations.filter(\.isNew).count
            var text = "\(registrations.count) formula version\(registrations.count == 1 ? "" : "s") from Formulas/, \(new) new"
            if let world {
                text += "; sample world: \(world.rowsRead["entities"] ?? 0) entities, \(world.rowsRead["relationships"] ?? 0) relationships"
                    + (world.totalWritten == 0 ? " (already loaded)" : "")
            }
            return text
        }
    }

    /// The sample world file beside `Formulas/`.
    static func sampleWorld(besides formulas: URL) -> URL {
        formulas.deletingLastPathComponent().appendingPathComponent("Scenarios/world/sample-world.json")
    }

    /// The project's `Formulas/` directory: `$CASCADE_FORMULAS`, else `./Formulas`, else the
    /// nearest `Formulas/` beside a `Package.swift` above the executable.
    static func formulasDirectory() -> URL? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["CASCADE_FORMULAS"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        let local = URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("Formulas")
        if fm.fileExists(atPath: local.path) { return local }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<8 {
            let candidate = dir.appendingPathComponent("Formulas")
            if fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path), fm.fileExists(atPath: candidate.path) {
                return candidate
            }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// Registers every `Formulas/*.json` document, in file-name order, all or nothing.
    static func load(into store: Store) throws -> Loaded {
        guard let dir = formulasDirectory() else {
            throw StoreError(.io, "cannot find the bundled `Formulas/` directory",
                             hint: "run from the project directory, or set CASCADE_FORMULAS to its path")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        let documents = try files.map { name in
            let path = dir.appendingPathComponent(name).path
            return (document: try FormulaDocumentFile.read(path), file: Optional(path))
        }
        let registrations = try store.registerAll(documents)
        let world = sampleWorld(besides: dir)
        guard FileManager.default.fileExists(atPath: world.path) else {
            throw StoreError(.io, "cannot find the sample world \(world.path)")
        }
        return Loaded(registrations: registrations, world: try store.importWorld(path: world.path))
    }
}
