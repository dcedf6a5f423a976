import CascadeJSON
import CascadeStore
import Foundation

/// The bundled sample: every formula version document in `Formulas/`, the sample world
/// `Scenarios/world/sample-world.json` and the sample history `Scenarios/world/macro-history.json`
/// (US quarterly macro series, converted from statsmodels' `macrodata` by
/// `scripts/convert-macrodata.py`), found from any working directory.
struct SampleLoader {
    struct Loaded {
        var registrations: [Registration] = []
        var world: ImportReport?
        var history: ImportReport?
        var summary: String {
            let new = registrations.filter(\.isNew).count
            var text = "\(registrations.count) formula version\(registrations.count == 1 ? "" : "s") from Formulas/, \(new) new"
            if let world {
                text += "; sample world: \(world.rowsRead["entities"] ?? 0) entities, \(world.rowsRead["relationships"] ?? 0) relationships"
                    + (world.totalWritten == 0 ? " (already loaded)" : "")
            }
            if let history {
                text += "; sample history: \(history.rowsRead["macro_data"] ?? 0) macro_data rows" + (history.totalWritten == 0 ? " (already loaded)" : "")
            }
            return text
        }
    }

    /// The formula documents, in file-name order, with their files.
    let documents: [(document: FormulaDocument, file: String?)]
    /// The sample world file beside `Formulas/`.
    let world: URL
    /// The sample history beside it, when present.
    let history: URL?

    /// Finds the sample and reads every formula document; throws before any store is touched.
    static func find() throws -> SampleLoader {
        guard let dir = formulasDirectory() else {
            throw StoreError(.io, "cannot find the bundled `Formulas/` directory",
                             hint: "set CASCADE_FORMULAS to its path (it is looked for beside the executable and in the source tree it was built from)")
        }
        let world = dir.deletingLastPathComponent().appendingPathComponent("Scenarios/world/sample-world.json")
        guard FileManager.default.fileExists(atPath: world.path) else {
            throw StoreError(.io, "cannot find the sample world \(world.path)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        let documents = try files.map { name in
            let path = dir.appendingPathComponent(name).path
            return (document: try FormulaDocumentFile.read(path), file: Optional(path))
        }
        let history = world.deletingLastPathComponent().appendingPathComponent("macro-history.json")
        return SampleLoader(documents: documents, world: world,
                            history: FileManager.default.fileExists(atPath: history.path) ? history : nil)
    }

    /// The project's `Formulas/` directory: `$CASCADE_FORMULAS`, else `./Formulas`, else the
    /// nearest `Formulas/` beside a `Package.swift` above the running executable (found through
    /// the system, not `argv[0]`, which is a bare name when run from `PATH`), else the one in the
    /// source tree this executable was built from.
    static func formulasDirectory() -> URL? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["CASCADE_FORMULAS"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        let local = URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("Formulas")
        if fm.fileExists(atPath: local.path) { return local }
        var roots: [URL] = []
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var dir = executable.deletingLastPathComponent()
            for _ in 0..<8 {
                roots.append(dir)
                dir = dir.deletingLastPathComponent()
            }
        }
        // Sources/CascadeCLI/Store/SampleLoader.swift → the package root, as built.
        roots.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent())
        return roots.lazy
            .filter { fm.fileExists(atPath: $0.appendingPathComponent("Package.swift").path) }
            .map { $0.appendingPathComponent("Formulas") }
            .first { fm.fileExists(atPath: $0.path) }
    }

    /// Registers every formula document (all or nothing), then imports the sample world and history.
    func load(into store: Store) throws -> Loaded {
        let registrations = try store.registerAll(documents)
        let world = try store.importWorld(path: world.path)
        return Loaded(registrations: registrations, world: world, history: try history.map { try store.importWorld(path: $0.path) })
    }
}
