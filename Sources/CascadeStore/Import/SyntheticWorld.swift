import Foundation

/// Deterministic synthetic world files for benchmarks and crash tests: `entities` entities over
/// ten levels and `relationships` edges between them, a few coefficients and formulas.
package enum SyntheticWorld {
    /// Writes the world file to `path`; the same arguments always give the same bytes.
    package static func write(to path: String, entities: Int, relationships: Int, seed: UInt64 = 42) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw StoreError(.io, "cannot create the file", location: path)
        }
        defer { try? handle.close() }
        var buffer = ""
        buffer.reserveCapacity(1 << 20)
        func flush(_ force: Bool = false) {
            if force || buffer.utf8.count > (1 << 20) {
                handle.write(Data(buffer.utf8))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        var state = seed
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 17
        }
        let types = SeedVocabulary.entityTypes
        let relationshipTypes = SeedVocabulary.relationshipTypes
        let sectors = ["SEMICONDUCTOR", "BANKING", "REALESTATE", "ENERGY", "RETAIL"]

        buffer += "{\n\"entities\": [\n"
        for i in 0..<entities {
            let level = i % 10
            buffer += i == 0 ? "" : ",\n"
            buffer += "{\"id\": \"e\(i)\", \"type\": \"\(types[i % types.count])\", \"name\": \"Entity \(i)\", \"category\": \"\(sectors[i % sectors.count])\", \"ontology_level\": \(level), \"metadata\": {\"value\": \(i % 1000), \"baseline\": 100}}"
            flush()
        }
        buffer += "\n],\n\"relationships\": [\n"
        for i in 0..<relationships {
            let source = Int(next() % UInt64(max(entities, 1)))
            var target = Int(next() % UInt64(max(entities, 1)))
            if target == source { target = (target + 1) % max(entities, 1) }
            let weight = Double(next() % 10_000) / 10_000
            buffer += i == 0 ? "" : ",\n"
            buffer += "{\"id\": \"r\(i)\", \"source_entity_id\": \"e\(source)\", \"target_entity_id\": \"e\(target)\", \"type\": \"\(relationshipTypes[i % relationshipTypes.count])\", \"weight\": \(weight)"
            switch i % 4 {
            case 0: buffer += ", \"impact_formula\": \"return source.delta * weight;\""
            case 1: buffer += ", \"metadata\": {\"formula\": \"synthetic_passthrough\", \"bindings\": {\"impact\": \"source.impact\", \"weight\": \"weight\"}}"
            default: break
            }
            buffer += "}"
            flush()
        }
        buffer += "\n],\n\"sector_coefficients\": [\n"
        buffer += sectors.enumerated().map { i, s in
            "{\"sector\": \"\(s)\", \"coefficient_type\": \"gdp_elasticity\", \"value\": \(1 + Double(i) / 10), \"effective_date\": \"2025-01-01\"}"
        }.joined(separator: ",\n")
        buffer += "\n],\n\"formulas\": [{\"name\": \"synthetic_passthrough\", \"formula_text\": \"return impact * weight;\", \"parameters\": {\"impact\": \"number\", \"weight\": \"number\"}, \"effective_date\": \"2025-01-01\", \"test_cases\": [{\"inputs\": {\"impact\": 0.5, \"weight\": 0.5}, \"expected\": 0.25}]}]\n}\n"
        flush(true)
    }
}
