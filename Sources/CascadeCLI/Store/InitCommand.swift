import ArgumentParser
import CascadeJSON
import CascadeStore

/// `cascade init [--sample]`: create or migrate the schema; optionally load the sample.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create or migrate the store's schema (running it again is harmless).")

    @OptionGroup var store: StoreOptions

    @Flag(name: .long, help: "Also load the bundled sample: the formula versions in Formulas/ and the sample world.")
    var sample = false

    func run() throws {
        try StoreOutput.run(json: store.json) {
            // The sample is read before the store is touched; a store this command creates is
            // removed again if migrating or loading fails.
            let bundled = sample ? try SampleLoader.find() : nil
            let (opened, applied, loaded) = try store.withStore(creating: true) { opened in
                (opened, try opened.migrate(), try bundled?.load(into: opened))
            }
            if store.json {
                var o = JSONObject()
                o["ok"] = .bool(true)
                o["store"] = .string(opened.location.description)
                o["migrations_applied"] = .array(applied.map(JSONValue.string))
                o["schema"] = .array(Migration.all.map { .string($0.name) })
                if let loaded {
                    o["formulas"] = .array(loaded.registrations.map {
                        .object(JSONObject([("name", .string($0.name)), ("version", .number(Double($0.version))), ("new", .bool($0.isNew))]))
                    })
                }
                StoreOutput.printJSON(.object(o))
            } else {
                if applied.isEmpty {
                    StoreOutput.print("\(opened.location): schema is up to date (\(Migration.all.count) migrations)")
                } else {
                    StoreOutput.print("\(opened.location): applied \(applied.count) migration\(applied.count == 1 ? "" : "s"): \(applied.joined(separator: ", "))")
                }
                if let loaded {
                    for r in loaded.registrations {
                        StoreOutput.print("  \(r.reference)\(r.isNew ? "" : " (already registered)")")
                    }
                    StoreOutput.print("sample: \(loaded.summary)")
                }
            }
        }
    }
}
