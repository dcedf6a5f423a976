import CascadeJSON
import CascadeStore

/// What a run reads from each entity's metadata text, in the world's id order: its canonical
/// form, `current_value` and the sector. None of it depends on the scenario, so a world snapshot
/// keeps it (`WorldSnapshotFile`) and a warm run does not parse and re-serialise every metadata
/// text again (at 1 M entities that was 1.5 s of `PreparedRun.indexEntities`).
///
/// An entity whose id repeats the previous one's is skipped (a run reports it and stops), as
/// `indexEntities` skips it: its facts are the defaults and it names no sector.
struct EntityFacts: Sendable, Equatable {
    /// `metadata.current_value` (numeric), else 1.
    var levelValues: [Double] = []
    var hasCurrentValue: [Bool] = []
    /// Index into `sectors`: `metadata.sector`, else the category, else "".
    var sectorIndex: [Int32] = []
    /// Each sector once, in the order entities first name it.
    var sectors: [String] = []
    /// Position → the canonical metadata text (sorted keys, "" for none or a non-object), only
    /// where it differs from the stored text; elsewhere the stored text is already canonical.
    var canonicalTexts: [Int: String] = [:]
    /// Position → why its metadata is not valid JSON.
    var invalidMetadata: [Int: String] = [:]
    /// How many metadata texts were parsed to build these facts (0 when they were read from a snapshot).
    var parsedTexts = 0

    init() {}

    /// Reads every entity's metadata once.
    /// - Complexity: O(total metadata length).
    init(_ columns: WorldColumns) {
        let ids = columns.entityIDs
        let n = ids.count
        levelValues = Array(repeating: 1, count: n)
        hasCurrentValue = Array(repeating: false, count: n)
        sectorIndex = Array(repeating: 0, count: n)
        var sectorOf: [String: Int32] = [:]
        for i in 0..<n {
            if i > 0 && ids[i - 1].utf8.elementsEqual(ids[i].utf8) { continue }
            var meta = JSONObject()
            let stored = columns.entityMetadata[i] ?? ""
            if !stored.isEmpty {
                parsedTexts += 1
                do {
                    if case .object(let object) = try JSONValue.parse(stored) { meta = object }
                } catch {
                    invalidMetadata[i] = error.message
                }
            }
            let canonical = WorldDigest.canonicalMetadata(meta)
            if canonical != stored { canonicalTexts[i] = canonical }
            if case .number(let value)? = meta["current_value"] {
                levelValues[i] = value
                hasCurrentValue[i] = true
            }
            let sector = meta["sector"]?.stringValue ?? columns.entityCategories[i] ?? ""
            if let existing = sectorOf[sector] {
                sectorIndex[i] = existing
            } else {
                sectorOf[sector] = Int32(sectors.count)
                sectorIndex[i] = Int32(sectors.count)
                sectors.append(sector)
            }
        }
    }

    /// The canonical metadata text of the entity at `position`, whose stored text is `stored`.
    func canonicalText(_ position: Int, stored: String?) -> String {
        canonicalTexts[position] ?? stored ?? ""
    }

    static func == (a: EntityFacts, b: EntityFacts) -> Bool {
        a.levelValues.elementsEqual(b.levelValues) { $0.bitPattern == $1.bitPattern } && a.hasCurrentValue == b.hasCurrentValue
            && a.sectorIndex == b.sectorIndex && a.sectors == b.sectors && a.canonicalTexts == b.canonicalTexts
            && a.invalidMetadata == b.invalidMetadata
    }
}
