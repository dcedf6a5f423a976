import CascadeStore
import Foundation

/// A deterministic synthetic world for the engine benchmark: `entities` entities (10 MACRO
/// entities at levels 0–1, the rest over levels 2–9), about 5 × entities relationships, 20
/// distinct formula texts, same-level cycles, feedback and bottleneck edges, sector coefficients.
///
/// Unlike `SyntheticWorld` (CascadeStore's import benchmark: uniformly random edges), the graph
/// has the shape propagation cares about: edges mostly run one level down, sources are skewed
/// toward hubs, ~17 % of the non-macro entities sit in same-level strongly connected components
/// (many of 2–10 members and three big ones), and macro edges carry formulas.
struct EngineWorldGenerator {
    let entityCount: Int
    let relationshipTarget: Int
    let seed: UInt64

    // Entities (index 0..<10 are the MACRO entities).
    var level: [UInt8] = []
    var sector: [UInt8] = []
    /// External id number of each entity (a permutation, so id order is unrelated to level).
    var idNumber: [Int32] = []
    var byLevel: [[Int32]] = Array(repeating: [], count: 10)

    // Relationships as stored (source/target are the *stored* ends; reverse types swap them).
    var relSource: [Int32] = []
    var relTarget: [Int32] = []
    var relType: [UInt8] = []
    /// Index into `EngineWorldGenerator.formulaTexts` (inline) or `registryFormulas` (≥ 100 + i), or -1.
    var relFormula: [Int8] = []
    /// bit 0: bottleneck channel; bit 1: sign -1.
    var relFlags: [UInt8] = []
    var relWeight: [Float] = []

    // Counts for the summary.
    var counts: [String: Int] = [:]

    private var state: UInt64

    init(entities: Int, relationships: Int? = nil, seed: UInt64 = 7) {
        entityCount = max(entities, 1000)
        relationshipTarget = relationships ?? 5 * max(entities, 1000)
        self.seed = seed
        state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    }

    mutating func next() -> UInt64 {
        // SplitMix64
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    // MARK: - Vocabulary

    struct Macro {
        let id: String, name: String, variable: String, level: Int, current: Double, unit: String?
        /// Scenario value, in decimals (or the variable's own unit).
        let shocked: Double
        /// Inline formula indices suitable for edges leaving this macro.
        let formulas: [Int]
    }

    static let macros: [Macro] = [
        Macro(id: "M-FED", name: "Fed Funds Rate", variable: "fed_funds_rate", level: 0, current: 4.5, unit: "%", shocked: 0.04, formulas: [0, 8, 9, 100]),
        Macro(id: "M-UST10", name: "US 10Y Yield", variable: "us_10y_yield", level: 0, current: 4.3, unit: "%", shocked: 0.047, formulas: [0, 100]),
        Macro(id: "M-OIL", name: "Oil Price", variable: "oil_price", level: 0, current: 75, unit: "USD/bbl", shocked: 68, formulas: [3, 7]),
        Macro(id: "M-SPX", name: "SP500", variable: "sp500", level: 0, current: 5800, unit: "index", shocked: 5200, formulas: [2]),
        Macro(id: "M-DXY", name: "USD Index", variable: "usd_index", level: 0, current: 104, unit: "index", shocked: 108, formulas: [4]),
        Macro(id: "M-GDP", name: "US GDP Growth", variable: "us_gdp_growth", level: 0, current: 2.5, unit: "%", shocked: 0.01, formulas: [1, 7]),
        Macro(id: "M-CPI", name: "US CPI", variable: "us_cpi", level: 1, current: 3.0, unit: "%", shocked: 0.035, formulas: [6, 7]),
        Macro(id: "M-HY", name: "HY Spread", variable: "hy_spread", level: 1, current: 350, unit: "bp", shocked: 0.045, formulas: [5]),
        Macro(id: "M-UNEMP", name: "US Unemployment", variable: "us_unemployment", level: 1, current: 4.1, unit: "%", shocked: 0.05, formulas: [6]),
        Macro(id: "M-WGDP", name: "Global GDP Growth", variable: "global_gdp_growth", level: 1, current: 3.1, unit: "%", shocked: 0.02, formulas: [1]),
    ]

    /// 18 inline texts + 2 registry formulas = 20 distinct formula texts.
    /// 0–9 leave MACRO entities; 10–17 are for ordinary edges (most ordinary edges have none).
    static let formulaTexts: [String] = [
        "return coeff.rate_sensitivity * source.delta * 100;",
        "return coeff.gdp_elasticity * source.delta;",
        "return coeff.equity_beta * (source.value / source.baseline - 1);",
        "return coeff.oil_sensitivity * (source.value / source.baseline - 1);",
        "return coeff.fx_sensitivity * (source.value / source.baseline - 1);",
        "return coeff.credit_sensitivity * source.delta * 100;",
        "return -coeff.beta * source.delta * 10;",
        "return source.delta > 0 ? -0.02 * coeff.beta : 0.01 * coeff.beta;",
        "if (fed_funds_rate > 0.05) return -0.03; else if (fed_funds_rate < 0.03) return 0.02; return coeff.beta * source.delta;",
        "return Math.max(-0.2, Math.min(0.2, coeff.rate_sensitivity * source.delta * 50));",
        "return source.impact * coeff.beta;",
        "return source.impact > 0 ? source.impact * 0.8 : source.impact * 1.2;",
        "return Math.max(-0.5, Math.min(0.5, source.impact * 1.5));",
        "return source.impact * (1 + coeff.gdp_elasticity) / 2;",
        "return source.value / source.baseline - 1;",
        "if (source.impact < -0.1) return source.impact * 2; return source.impact;",
        "return source.impact * (1 + (us_cpi - 0.03) * coeff.beta);",
        "return source.impact * Math.abs(coeff.equity_beta);",
    ]

    /// Registry formulas (referenced as 100 + index).
    static let registryFormulas: [(name: String, text: String, parameters: [String], bindings: [(String, String)],
                                   test: ([(String, Double)], Double))] = [
        ("bench_rate_shock", "return -(newRate - baseRate) * sensitivity * 100;", ["baseRate", "newRate", "sensitivity"],
         [("newRate", "source.value"), ("baseRate", "source.baseline"), ("sensitivity", "coeff.rate_sensitivity")],
         ([("newRate", 0.5), ("baseRate", 0.25), ("sensitivity", 2)], -50)),
        ("bench_pass_scaled", "return impact * scale;", ["impact", "scale"],
         [("impact", "source.impact"), ("scale", "coeff.beta")],
         ([("impact", 0.5), ("scale", 0.5)], 0.25)),
    ]

    static let sectors = ["SEMICONDUCTOR", "BANKING", "REALESTATE", "ENERGY", "RETAIL", "AUTOMOTIVE", "AEROSPACE",
                          "PHARMA", "TELECOM", "UTILITIES", "CHEMICALS", "LOGISTICS"]
    static let coefficientTypes = ["beta", "credit_sensitivity", "equity_beta", "fx_sensitivity", "gdp_elasticity",
                                   "oil_sensitivity", "rate_sensitivity"]
    /// Entity type per level 2–9.
    static let levelTypes: [[String]] = [
        [], [], ["SECTOR"], ["COMPANY"], ["COMPANY", "SHAREHOLDER"], ["PRODUCT"], ["COMPONENT", "TECHNOLOGY"],
        ["EQUIPMENT"], ["FACILITY"], ["CUSTOMER"],
    ]
    /// Share (percent) of the non-macro entities on levels 2…9.
    static let levelShares = [6, 9, 12, 15, 17, 16, 14, 11]
    // Relationship types: 0–5 forward, 6–8 reverse, 9 COMPETES (no propagation).
    static let relationshipTypes = ["SUPPLIES", "IMPACTS", "MANUFACTURES", "DESIGNS", "CONTAINS", "REQUIRES",
                                    "OWNS", "INVESTS_IN", "FINANCES", "COMPETES"]

    // MARK: - Generation

    mutating func generate() {
        let n = entityCount
        level = Array(repeating: 0, count: n)
        sector = Array(repeating: 0, count: n)
        for (i, m) in Self.macros.enumerated() { level[i] = UInt8(m.level) }
        // Levels in blocks, then ids permuted so that id order (the engine's order) mixes levels.
        let others = n - Self.macros.count
        var start = Self.macros.count
        for (k, share) in Self.levelShares.enumerated() {
            let count = k == Self.levelShares.count - 1 ? n - start : others * share / 100
            for i in start..<start + count { level[i] = UInt8(k + 2) }
            start += count
        }
        for i in 0..<n {
            sector[i] = UInt8(below(Self.sectors.count))
            byLevel[Int(level[i])].append(Int32(i))
        }
        idNumber = (0..<n).map { Int32($0) }
        for i in stride(from: n - 1, to: 0, by: -1) { idNumber.swapAt(i, below(i + 1)) }

        relSource.reserveCapacity(relationshipTarget + relationshipTarget / 20)
        relTarget.reserveCapacity(relationshipTarget + relationshipTarget / 20)

        macroEdges()
        cycleEdges()
        let remaining = relationshipTarget - relSource.count
        sameLevelAcyclicEdges(remaining * 5 / 100)
        feedbackEdges(max(10, remaining / 500))
        competesEdges(remaining / 100)
        downEdges(relationshipTarget - relSource.count)
        markBottlenecks()
    }

    /// Appends an effective edge s → t; reverse relationship types store it as t → s.
    mutating func add(_ s: Int32, _ t: Int32, formula: Int8 = -1, weight: Float? = nil, forwardOnly: Bool = false) {
        let roll = below(100)
        let type: UInt8 = forwardOnly || roll < 92 ? UInt8(below(6)) : UInt8(6 + below(3))
        if type >= 6 {
            relSource.append(t); relTarget.append(s)
        } else {
            relSource.append(s); relTarget.append(t)
        }
        relType.append(type)
        relFormula.append(formula)
        relFlags.append(below(100) < 8 && formula < 0 ? 2 : 0)
        relWeight.append(weight ?? Float(0.05 + 0.3 * unit()))
    }

    /// Formula index for an ordinary edge: ~20 % of them read one of texts 10–17 or the
    /// pass-through registry formula; the rest are linear pass-through.
    mutating func ordinaryFormula() -> Int8 {
        let roll = below(100)
        if roll < 18 { return Int8(10 + below(8)) }
        if roll < 20 { return 101 }
        return -1
    }

    mutating func macroEdges() {
        let macroCount = Self.macros.count
        var count = 0
        for t in byLevel[2] {
            for _ in 0..<2 {
                let m = below(macroCount)
                let choices = Self.macros[m].formulas
                add(Int32(m), t, formula: Int8(choices[below(choices.count)]), weight: 1, forwardOnly: true)
                count += 1
            }
        }
        for t in byLevel[3] where below(10) < 3 {
            let m = below(macroCount)
            let choices = Self.macros[m].formulas
            add(Int32(m), t, formula: Int8(choices[below(choices.count)]), weight: Float(0.5 + 0.5 * unit()), forwardOnly: true)
            count += 1
        }
        counts["macro_edges"] = count
    }

    /// Same-level SCCs: ~17 % of each level's entities in rings of 2–10 with chords, plus three big
    /// components (N/500 members each) on levels 4, 5 and 6. Cycle weights keep every gain < 1.
    var cycleBlocks: [[Range<Int>]] = Array(repeating: [], count: 10)
    var levelOrder: [[Int32]] = Array(repeating: [], count: 10)

    mutating func cycleEdges() {
        var members = 0, components = 0, edges = 0
        for l in 2...9 {
            var order = byLevel[l]
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, below(i + 1)) }
            levelOrder[l] = order
            let inCycles = order.count * 17 / 100
            var sizes: [Int] = []
            var total = 0
            if [4, 5, 6].contains(l) {
                sizes.append(max(12, entityCount / 500))
                total += sizes[0]
            }
            while total < inCycles {
                sizes.append(2 + below(9))
                total += sizes[sizes.count - 1]
            }
            var position = 0
            for size in sizes where position + size <= order.count {
                let block = position..<position + size
                cycleBlocks[l].append(block)
                for k in block {
                    let s = order[k], t = order[k + 1 == block.upperBound ? block.lowerBound : k + 1]
                    add(s, t, formula: below(10) == 0 ? 10 : -1, weight: Float(0.1 + 0.3 * unit()), forwardOnly: true)
                    edges += 1
                }
                if size >= 4 {
                    for _ in 0..<size / 3 {
                        let a = block.lowerBound + below(size), b = block.lowerBound + below(size)
                        if a == b { continue }
                        add(order[a], order[b], weight: Float(0.05 + 0.2 * unit()), forwardOnly: true)
                        edges += 1
                    }
                }
                members += size
                components += 1
                position += size
            }
        }
        counts["cycle_members"] = members
        counts["cycle_components"] = components
        counts["cycle_edges"] = edges
    }

    /// Same-level edges that create no cycle: from an earlier to a later position of a level's
    /// order, never inside one cycle block (blocks are contiguous, so no new SCC can form).
    mutating func sameLevelAcyclicEdges(_ count: Int) {
        var made = 0
        while made < count {
            let l = 2 + below(8)
            let order = levelOrder[l]
            guard order.count > 20 else { continue }
            var a = below(order.count), b = below(order.count)
            if a == b { continue }
            if a > b { swap(&a, &b) }
            add(order[a], order[b], formula: ordinaryFormula())
            made += 1
        }
        counts["same_level_acyclic_edges"] = made
    }

    /// Edges into a lower level (applied only with feedback_rounds > 0).
    mutating func feedbackEdges(_ count: Int) {
        for _ in 0..<count {
            let ls = 4 + below(6), lt = 2 + below(ls - 2)
            add(byLevel[ls][below(byLevel[ls].count)], byLevel[lt][below(byLevel[lt].count)], weight: Float(0.02 + 0.08 * unit()))
        }
        counts["feedback_edges"] = count
    }

    mutating func competesEdges(_ count: Int) {
        for _ in 0..<count {
            let l = 3 + below(4)
            let a = byLevel[l][below(byLevel[l].count)], b = byLevel[l][below(byLevel[l].count)]
            relSource.append(a); relTarget.append(b); relType.append(9); relFormula.append(-1); relFlags.append(0)
            relWeight.append(Float(unit()))
        }
        counts["competes_edges"] = count
    }

    /// The bulk: each edge picks a target on levels 3–9 and a source one level up (70 %), two up
    /// (20 %) or further (10 %), skewed toward each level's first entities (hubs).
    mutating func downEdges(_ count: Int) {
        let targets = (3...9).flatMap { byLevel[$0] }
        for _ in 0..<max(count, 0) {
            let t = targets[below(targets.count)]
            let lt = Int(level[Int(t)])
            let roll = below(10)
            let ls = roll < 7 ? lt - 1 : roll < 9 ? max(2, lt - 2) : 2 + below(lt - 2)
            let pool = byLevel[ls]
            let u = unit()
            let s = pool[min(pool.count - 1, Int(Double(pool.count) * u * u))]
            add(s, t, formula: ordinaryFormula())
        }
        counts["down_edges"] = count
    }

    /// ~1 % of entities on levels 5–7 take their first 2–3 incoming pass-through down edges as
    /// bottleneck inputs (only the most negative counts).
    mutating func markBottlenecks() {
        var chosen = Set<Int32>()
        for l in 5...7 {
            for _ in 0..<max(1, byLevel[l].count / 100) { chosen.insert(byLevel[l][below(byLevel[l].count)]) }
        }
        var marked: [Int32: Int] = [:]
        var edges = 0
        for r in relSource.indices where relType[r] < 6 && relFormula[r] < 0 {
            let t = relTarget[r]
            guard chosen.contains(t), level[Int(relSource[r])] < level[Int(t)], marked[t, default: 0] < 3 else { continue }
            marked[t, default: 0] += 1
            relFlags[r] |= 1
            edges += 1
        }
        counts["bottleneck_entities"] = marked.count
        counts["bottleneck_edges"] = edges
    }

    // MARK: - World files

    func entityID(_ i: Int) -> String {
        i < Self.macros.count ? Self.macros[i].id : "E" + pad(Int(idNumber[i]), 7)
    }

    func relationshipID(_ r: Int) -> String { "R" + pad(r, 8) }

    func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    static func number(_ x: Double) -> String {
        if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
        return String(x)
    }

    /// Writes the world: one file with formulas, coefficients, macro data and entities, then the
    /// relationships in files of at most `chunk` rows (each import reads a whole file into memory).
    func writeFiles(directory: String, chunk: Int) throws -> [String] {
        var files: [String] = []
        func write(_ name: String, _ body: (inout String, () -> Void) -> Void) throws {
            let path = directory + "/" + name
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: path) else {
                throw StoreError(.io, "cannot create the file", location: path)
            }
            defer { try? handle.close() }
            var buffer = ""
            buffer.reserveCapacity(1 << 21)
            func flush() {
                if buffer.utf8.count >= 1 << 20 {
                    handle.write(Data(buffer.utf8))
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            body(&buffer, flush)
            handle.write(Data(buffer.utf8))
            files.append(path)
        }

        try write("world-entities.json") { out, flush in
            out += "{\n\"formulas\": [\n"
            out += Self.registryFormulas.map { f in
                let params = f.parameters.map { "\"\($0)\": \"number\"" }.joined(separator: ", ")
                let inputs = f.test.0.map { "\"\($0.0)\": \(Self.number($0.1))" }.joined(separator: ", ")
                return "{\"name\": \"\(f.name)\", \"formula_text\": \"\(f.text)\", \"parameters\": {\(params)}, \"effective_date\": \"2025-01-01\", \"test_cases\": [{\"inputs\": {\(inputs)}, \"expected\": \(Self.number(f.test.1))}]}"
            }.joined(separator: ",\n")
            out += "\n],\n\"sector_coefficients\": [\n"
            var rows: [String] = []
            for (s, sectorName) in Self.sectors.enumerated() {
                for (k, type) in Self.coefficientTypes.enumerated() {
                    let value = 0.2 + Double((s * 7 + k * 3) % 13) / 10
                    rows.append("{\"sector\": \"\(sectorName)\", \"coefficient_type\": \"\(type)\", \"value\": \(Self.number(value)), \"effective_date\": \"2025-01-01\"}")
                    // An older, superseded row per pair, as real histories have.
                    rows.append("{\"sector\": \"\(sectorName)\", \"coefficient_type\": \"\(type)\", \"value\": \(Self.number(value * 0.9)), \"effective_date\": \"2023-01-01\"}")
                }
            }
            out += rows.joined(separator: ",\n")
            out += "\n],\n\"macro_data\": [\n"
            out += Self.macros.flatMap { m in
                ["2024-12-31", "2025-03-31"].map { date in
                    "{\"date\": \"\(date)\", \"variable_name\": \"\(m.variable)\", \"value\": \(Self.number(m.current))" + (m.unit.map { ", \"unit\": \"\($0)\"" } ?? "") + "}"
                }
            }.joined(separator: ",\n")
            out += "\n],\n\"entities\": [\n"
            for i in 0..<entityCount {
                if i > 0 { out += ",\n" }
                if i < Self.macros.count {
                    let m = Self.macros[i]
                    out += "{\"id\": \"\(m.id)\", \"type\": \"MACRO\", \"name\": \"\(m.name)\", \"category\": \"MACRO\", \"ontology_level\": \(m.level), \"metadata\": {\"variable\": \"\(m.variable)\", \"current_value\": \(Self.number(m.current))"
                        + (m.unit.map { ", \"unit\": \"\($0)\"" } ?? "") + "}}"
                    continue
                }
                let l = Int(level[i])
                let types = Self.levelTypes[l]
                let type = types[Int(idNumber[i]) % types.count]
                let id = entityID(i)
                out += "{\"id\": \"\(id)\", \"type\": \"\(type)\", \"name\": \"\(type.capitalized) \(id)\", \"category\": \"\(Self.sectors[Int(sector[i])])\", \"ontology_level\": \(l)"
                if idNumber[i] % 5 < 3 {
                    out += ", \"metadata\": {\"current_value\": \(Int(idNumber[i] % 9973) + 10), \"country\": \"\(["US", "JP", "DE", "KR", "TW", "CN"][Int(idNumber[i]) % 6])\"}"
                }
                out += "}"
                flush()
            }
            out += "\n]\n}\n"
        }

        var start = 0
        var part = 0
        while start < relSource.count {
            let end = min(start + chunk, relSource.count)
            try write("world-relationships-\(part).json") { out, flush in
                out += "{\n\"relationships\": [\n"
                for r in start..<end {
                    if r > start { out += ",\n" }
                    out += "{\"id\": \"\(relationshipID(r))\", \"source_entity_id\": \"\(entityID(Int(relSource[r])))\", \"target_entity_id\": \"\(entityID(Int(relTarget[r])))\", \"type\": \"\(Self.relationshipTypes[Int(relType[r])])\", \"weight\": \(Self.number((Double(relWeight[r]) * 1000).rounded() / 1000))"
                    let f = Int(relFormula[r])
                    if f >= 0 && f < 100 {
                        out += ", \"impact_formula\": \"\(Self.formulaTexts[f])\""
                    }
                    var meta: [String] = []
                    if f >= 100 {
                        let reg = Self.registryFormulas[f - 100]
                        meta.append("\"formula\": \"\(reg.name)\", \"bindings\": {" + reg.bindings.map { "\"\($0.0)\": \"\($0.1)\"" }.joined(separator: ", ") + "}")
                    }
                    var propagation: [String] = []
                    if relFlags[r] & 1 != 0 { propagation.append("\"channel\": \"bottleneck\"") }
                    if relFlags[r] & 2 != 0 { propagation.append("\"sign\": -1") }
                    if !propagation.isEmpty { meta.append("\"propagation\": {" + propagation.joined(separator: ", ") + "}") }
                    if !meta.isEmpty { out += ", \"metadata\": {" + meta.joined(separator: ", ") + "}" }
                    out += "}"
                    flush()
                }
                out += "\n]\n}\n"
            }
            start = end
            part += 1
        }
        return files
    }

    /// The benchmark scenario: every macro variable moved.
    static func scenarioDocument(feedbackRounds: Int) -> String {
        let variables = macros.map { "\"\($0.variable)\": \(number($0.shocked))" }.joined(separator: ", ")
        return "{\"name\": \"engine-bench\", \"author\": \"cascade-engine-bench\", \"macro_variables\": {\(variables)}, \"as_of\": \"2025-06-30\", \"feedback_rounds\": \(feedbackRounds)}"
    }
}
