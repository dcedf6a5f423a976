import CascadeJSON
import CascadeStore
import Foundation

/// Loads the bundled sample: every formula version document in `Formulas/` (and, once the
/// sample world ships, the world file) into a store.
enum SampleLoader {
    struct Loaded {
        var registrations: [Registration] = []
        var summary: String {
            let new = registrations.filter(\.isNew).count
            return "\(registrations.count) formula version\(registrations.count == 1 ? "" : "s") from Formulas/, \(new) new"
        }
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
        // The later sample-world issue adds its world file import here.
        return Loaded(registrations: try store.registerAll(documents))
    }
}
