import CascadeJSON
@testable import CascadeStore
import Testing

/// `cascade import` reads a world file in one pass over its bytes (`WorldDecoder.decode(bytes:)`,
/// with `WorldScanner`'s fast path for rows); it must give exactly what parsing the whole
/// document and decoding the tree gives: the same records, the same problems in the same order,
/// the same JSON error.
@Suite("World file reader (one pass = parse + decode)")
struct WorldScannerTests {
    /// What one way of reading produced, comparable across the two ways.
    struct Outcome: Equatable, CustomStringConvertible {
        var error: JSONError?
        var entities: [EntityRecord] = []
        var relationships: [RelationshipRecord] = []
        var coefficients: [SectorCoefficient] = []
        var macroData: [MacroDatum] = []
        var financialData: [FinancialDatum] = []
        var formulas: [FormulaDocument] = []
        var formulaReferences: [String] = []
        var entityReferences: [String] = []
        var entityIDsInFile: [String] = []
        var formulaNamesInFile: Set<String> = []
        var problems: [Problem] = []
        var dropped = 0

        init(error: JSONError) { self.error = error }

        init(_ decoder: WorldDecoder, _ world: World) {
            entities = world.entities
            relationships = world.relationships
            coefficients = world.coefficients
            macroData = world.macroData
            financialData = world.financialData
            formulas = world.formulas
            formulaReferences = world.formulaReferences.map { "\($0.relationship) \($0.reference)" }
            entityReferences = world.entityReferences.map { "\($0.path) \($0.id)" }
            entityIDsInFile = world.entityIDsInFile.allBits.map { ContentHash.format($0) }.sorted()
            formulaNamesInFile = world.formulaNamesInFile
            problems = decoder.problems
            dropped = decoder.droppedProblems
        }

        var description: String {
            if let error { return "error \(error)" }
            return "\(entities.count) entities \(relationships.count) relationships, problems: \(problems.map(\.description))"
        }
    }

    static func byTree(_ text: String) -> Outcome {
        do {
            let root = try JSONValue.parse(bytes: Array(text.utf8))
            var decoder = WorldDecoder(file: "w.json")
            let world = decoder.decode(root, progress: { _ in })
            return Outcome(decoder, world)
        } catch {
            return Outcome(error: error)
        }
    }

    static func byBytes(_ text: String) -> Outcome {
        let bytes = Array(text.utf8)
        do {
            let (decoder, world) = try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) in
                try WorldDecoder.decode(bytes: buffer, file: "w.json", progress: { _ in })
            }
            return Outcome(decoder, world)
        } catch {
            return Outcome(error: error)
        }
    }

    static func agree(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let tree = byTree(text)
        let bytes = byBytes(text)
        #expect(tree == bytes, "\(text)\ntree:  \(tree)\nbytes: \(bytes)", sourceLocation: sourceLocation)
    }

    static let rows: [String] = [
        #"{"id": "a", "type": "COMPANY", "name": "A"}"#,
        #"{"id": "b\"q", "type": "COMPANY", "name": "B \u00e9\n", "description": null, "category": null, "ontology_level": null, "metadata": null}"#,
        #"{"id": "c", "type": "COMPANY", "name": "漢字 🚀", "category": "CAT", "ontology_level": 9, "metadata": {}}"#,
        #"{"id":"d","type":"SECTOR","name":"D","ontology_level":0.0,"metadata":{"a":[1,2.50,-0,1e2,1E-7,123456789012345678,-12,0],"b":{"c":null,"d":true,"e":false,"f":[]},"g":"\u2028 x","h":"line\u2029","i":"tab\t"}}"#,
        #"{ "metadata" : { "k" : "v" , "n" : { } } , "name" : "E" , "type" : "MACRO" , "id" : "e" }"#,
        #"{"id": "f", "type": "COMPANY", "name": "F", "metadata": {"x": 1, "x": 2}}"#,
        #"{"id": "g", "type": "COMPANY", "name": "G", "id": "g2"}"#,
        #"{"id": "h", "type": "SPACESHIP", "name": "H", "ontology_level": 12}"#,
        #"{"id": "", "type": "COMPANY", "name": ""}"#,
        #"{"id": 5, "type": "COMPANY", "name": ["x"], "metadata": 3}"#,
        #"{"id": "i", "type": "COMPANY", "name": "I", "colour": "red"}"#,
        #"{"id": "a", "type": "COMPANY", "name": "duplicate of a"}"#,
        #"{"i\u0064": "j", "type": "COMPANY", "name": "escaped key"}"#,
        #"{"id": "k", "type": "COMPANY", "name": "K", "metadata": {"\u2028": 1, "é": "ü"}}"#,
        #"{"id": "l", "type": "COMPANY", "name": "\#(String(repeating: "é", count: 200))", "category": "\#(String(repeating: "ß", count: 40))"}"#,
        #"{"id": "m", "type": "COMPANY", "name": "\#(String(repeating: "x", count: 256))"}"#,
        // 200 characters as Swift counts them, 400 as SQL's length() does: too long.
        #"{"id": "m2", "type": "COMPANY", "name": "\#(String(repeating: "e\u{301}", count: 200))"}"#,
        #"{"id": "n", "type": "COMPANY", "name": "N", "ontology_level": 3.5}"#,
        #"{"id": "o", "type": "COMPANY", "name": "N", "ontology_level": -1}"#,
        #"{"id": "p", "type": "COMPANY", "name": "P", "metadata": {"deep": [[[{"a": [{}]}]]], "num": 1.000, "neg": -0.5e-3}}"#,
        #""not an object""#,
        #"null"#,
        #"{}"#,
    ]

    static let edges: [String] = [
        #"{"id": "r1", "source_entity_id": "a", "target_entity_id": "c", "type": "REQUIRES", "weight": 0.95, "impact_formula": "return -0.25;"}"#,
        #"{"id": "r2", "source_entity_id": "a", "target_entity_id": "zz", "type": "IMPACTS", "weight": 1, "metadata": {"formula": "f@2", "bindings": {"x": "source.value"}}}"#,
        #"{"id": "r3", "source_entity_id": "a", "target_entity_id": "c", "type": "OWNS", "weight": 1.5}"#,
        #"{"id": "r4", "source_entity_id": "a", "target_entity_id": "c", "type": "OWNS", "impact_formula": "1 +* ;"}"#,
        #"{"id": "r5", "source_entity_id": "a", "target_entity_id": "c", "type": "LIKES", "weight": null, "impact_formula": null, "metadata": null}"#,
        #"{"id": "r6", "source_entity_id": "a", "target_entity_id": "c", "type": "OWNS", "metadata": {"formula": 3}}"#,
        #"{"id": "r7", "source_entity_id": "a", "target_entity_id": "c", "type": "OWNS", "metadata": {"formula": "g@x"}}"#,
        #"{"id": "r8", "source_entity_id": "a", "target_entity_id": "c", "type": "OWNS", "impact_formula": "return 1;", "metadata": {"formula": "g"}}"#,
        #"{"id": "r9", "source_entity_id": "a", "target_entity_id": "c", "type": "OWNS", "metadata": {"bindings": {"x": 1, "y": "z"}}}"#,
        #"{"id": "r10", "source_entity_id": "a", "target_entity_id": "c", "type": "OWNS", "metadata": {"bindings": "x"}}"#,
        #"{"id": "r11", "source_entity_id": "a", "target_entity_id": "c", "type": "OWNS", "metadata": {"bindings": {}, "formula": null}}"#,
        #"{"id": "r1", "source_entity_id": "a", "target_entity_id": "c", "type": "OWNS"}"#,
        #"{"id": "r12", "source_entity_id": "", "target_entity_id": 4, "type": "OWNS", "weight": "0.5"}"#,
        #"{"id": "r13", "source_entity_id": "a", "target_entity_id": "c", "type": "OWNS", "impact_formula": "return \"s\" + 1;"}"#,
        #"{"id": "r14", "source_entity_id": "a", "target_entity_id": "c", "type": "OWNS", "weight": -0, "impact_formula": "return source.delta * weight;"}"#,
        #"{"id": "r15", "source_entity_id": "a", "target_entity_id": "c", "type": "OWNS", "extra": 1}"#,
    ]

    static func world(_ entities: [String], _ relationships: [String], tail: String = "") -> String {
        """
        {"entities": [\(entities.joined(separator: ",\n"))],
         "relationships": [\(relationships.joined(separator: ",\n"))]\(tail)}
        """
    }

    @Test func lengthsAreCountedAsSQLCountsThem() {
        let outcome = Self.byBytes(Self.world([#"{"id": "m2", "type": "COMPANY", "name": "\#(String(repeating: "e\u{301}", count: 200))"}"#], []))
        #expect(outcome.problems.map(\.code) == ["json.too-long"])
        #expect(outcome.problems.first?.message.contains("400 characters") == true)
    }

    @Test func validAndInvalidRowsAgree() {
        Self.agree(Fixtures.world())
        Self.agree(Self.world(Self.rows, Self.edges))
        for row in Self.rows { Self.agree(Self.world([row], [])) }
        for edge in Self.edges { Self.agree(Self.world(Self.rows, [edge])) }
        Self.agree(Self.world(Self.rows, Self.edges, tail: #", "formulas": [], "macro_data": [{"date": "2024-Q5", "variable_name": "x", "value": 1}], "mystery": 1"#))
    }

    @Test func unusualTopLevelsAgree() {
        for text in [
            "", " ", "[]", "null", "{}", "{ }", #"{"entities": []}"#, #"{"entities": [ ]}"#, #"{"entities": {}}"#, #"{"entities": null}"#,
            #"{"entities": [], "entities": []}"#, #"{"relationships": [], "formulas": 3}"#, #"{"entities": []} x"#,
            #"{"ent\u0069ties": []}"#, #"{"entities": [1,]}"#, #"{"entities": [,]}"#, #"{"entities": [{"id": "a"} {"id": "b"}]}"#,
            #"{"entities": [{"id": "a"}], "relationships": [{"id": "r", "source_entity_id": "a""#,
            #"{"relationships": [{"id": "r", "source_entity_id": "a", "target_entity_id": "a", "type": "OWNS", "weight": 01}]}"#,
            #"{"relationships": [{"id": "r", "source_entity_id": "a", "target_entity_id": "a", "type": "OWNS", "weight": 1e999}]}"#,
            #"{"entities": [{"id": "a", "type": "COMPANY", "name": "x\u0000y"}]}"#,
            #"{"entities": [{"id": "a", "type": "COMPANY", "name": "bad \ud800 surrogate"}]}"#,
            #"{"entities": [{"id": "a", "type": "COMPANY", "name": "A", "metadata": {"a": tru}}]}"#,
            #"{"formulas": [{"name": "f"}], "entities": [{"id": "a", "type": "X", "name": "A"}], "mystery": 2}"#,
            "{\"entities\": [{\"id\": \"a\", \"type\": \"COMPANY\", \"name\": \"raw\ttab\"}]}",
            "{\"entities\": [{\"id\": \"a\", \"type\": \"COMPANY\", \"name\": \"A\"}]}\n\t ",
        ] {
            Self.agree(text)
        }
        // Invalid UTF-8 inside a row and inside metadata.
        for bad in [[0xC3, 0x28], [0xFF], [0xE2, 0x80]] as [[UInt8]] {
            for template in [#"{"entities": [{"id": "a", "type": "COMPANY", "name": "@"}]}"#,
                             #"{"entities": [{"id": "a", "type": "COMPANY", "name": "A", "metadata": {"k": "@"}}]}"#,
                             #"{"entities": [{"id": "a", "type": "COMPANY", "name": "A", "metadata": {"@": 1}}]}"#] {
                var bytes = Array(template.utf8)
                let at = bytes.firstIndex(of: UInt8(ascii: "@"))!
                bytes.replaceSubrange(at...at, with: bad)
                let tree: Outcome
                do {
                    let root = try JSONValue.parse(bytes: bytes)
                    var decoder = WorldDecoder(file: "w.json")
                    let world = decoder.decode(root, progress: { _ in })
                    tree = Outcome(decoder, world)
                } catch {
                    tree = Outcome(error: error)
                }
                let viaBytes: Outcome
                do {
                    let (decoder, world) = try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) in
                        try WorldDecoder.decode(bytes: buffer, file: "w.json", progress: { _ in })
                    }
                    viaBytes = Outcome(decoder, world)
                } catch {
                    viaBytes = Outcome(error: error)
                }
                #expect(tree == viaBytes, "\(bytes)")
            }
        }
    }

    /// Many problems: the first 1000 in section order are kept, whatever the file's order.
    @Test func problemOrderAndLimitAgree() {
        let bad = (0..<700).map { #"{"id": "x\#($0)", "type": "NOPE", "name": "X", "ontology_level": 11}"# }
        let edges = (0..<300).map { #"{"id": "r\#($0)", "source_entity_id": "x", "target_entity_id": "y", "type": "OWNS", "weight": 2}"# }
        Self.agree(#"{"relationships": [\#(edges.joined(separator: ","))], "formulas": [{"name": ""}], "entities": [\#(bad.joined(separator: ","))]}"#)
    }

    /// Random damage to a small world: every variant reads the same both ways.
    @Test func damagedWorldsAgree() {
        let base = Array(Self.world(Array(Self.rows.prefix(6)), Array(Self.edges.prefix(4))).utf8)
        let pieces: [[UInt8]] = ["{", "}", "[", "]", ",", ":", "\"", "\\", " ", "0", "-", "1.5", "e", "null", "\"id\"", "\\u00", "\u{2028}"].map { Array($0.utf8) }
        var state: UInt64 = 7
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        for _ in 0..<3000 {
            var bytes = base
            for _ in 0..<(1 + next(3)) {
                let at = next(bytes.count)
                switch next(3) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(contentsOf: pieces[next(pieces.count)], at: at)
                default: bytes.replaceSubrange(at...at, with: pieces[next(pieces.count)])
                }
            }
            guard let text = String(validating: bytes, as: UTF8.self) else { continue }
            Self.agree(text)
        }
    }
}

@Suite("Stable ids")
struct StableIDTests {
    @Test func appendedIDsAreTheFormattedOnes() {
        for key in ["", "e1", "r123456", "漢字", String(repeating: "x", count: 100)] {
            let bits = ContentHash.stableIDBits("entity", key)
            var out: [UInt8] = [1]
            ContentHash.appendFormatted(bits, to: &out)
            #expect(String(decoding: out.dropFirst(), as: UTF8.self) == ContentHash.stableID("entity", key))
        }
        var out: [UInt8] = []
        ContentHash.appendFormatted((0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "01234567-89ab-cdef-fedc-ba9876543210")
        #expect(ContentHash.format((0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210)) == "01234567-89ab-cdef-fedc-ba9876543210")
    }

    /// `parseFormatted` is `format`'s inverse on exactly the texts `format` writes: every byte
    /// value is tried at every position of a valid id, and only a lowercase hex digit where a
    /// digit goes (or the dash where a dash goes) parses.
    @Test func parsesExactlyWhatFormatWrites() {
        func parse(_ bytes: [UInt8]) -> (UInt64, UInt64)? { bytes.withUnsafeBufferPointer { ContentHash.parseFormatted($0) } }
        let valid = Array("01234567-89ab-cdef-fedc-ba9876543210".utf8)
        let parsed = parse(valid)
        #expect(parsed?.0 == 0x0123_4567_89AB_CDEF && parsed?.1 == 0xFEDC_BA98_7654_3210)
        let hex = Set("0123456789abcdef".utf8)
        var accepted = 0
        for position in valid.indices {
            for byte in UInt8.min...UInt8.max {
                var text = valid
                text[position] = byte
                let expected = [8, 13, 18, 23].contains(position) ? byte == 0x2D : hex.contains(byte)
                if expected { accepted += 1 }
                #expect((parse(text) != nil) == expected, "byte \(byte) at \(position)")
            }
        }
        #expect(accepted == 32 * 16 + 4)
        for text in ["", "01234567-89ab-cdef-fedc-ba987654321", "01234567-89ab-cdef-fedc-ba98765432100",
                     "0123456789abcdeffedcba9876543210", "01234567-89AB-CDEF-FEDC-BA9876543210"] {
            #expect(parse(Array(text.utf8)) == nil, "\(text)")
        }
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2_000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let bits = (seed, seed.byteSwapped ^ 0x5555_5555_5555_5555)
            let back = parse(Array(ContentHash.format(bits).utf8))
            #expect(back?.0 == bits.0 && back?.1 == bits.1)
        }
    }
}

@Suite("ID table")
struct IDTableTests {
    @Test func keepsTheFirstIndexOfEachIdThroughGrowth() {
        var table = IDTable(namespace: "entity")
        for i in 0..<10_000 { #expect(table.insert("id\(i)", index: i) == nil) }
        #expect(table.count == 10_000)
        for i in stride(from: 0, to: 10_000, by: 7) {
            #expect(table.insert("id\(i)", index: 99_999) == i)
            #expect(table.index(of: "id\(i)") == i)
        }
        #expect(!table.contains("id10000") && table.contains("id0") && table.index(of: "nope") == nil)
        #expect(table.count == 10_000 && table.allBits.count == 10_000)
    }
}
