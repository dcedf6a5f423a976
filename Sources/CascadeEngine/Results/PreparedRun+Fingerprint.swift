import CascadeJSON
import CascadeStore

extension PreparedRun {
    /// Part of every fingerprint: a change to what a result holds (2: entities carry
    /// `baseline_value`) or to how the fingerprint is computed (3: the world enters as its digest;
    /// 4: that digest is `WorldDigest`, a sum of per-row hashes an import can compute and leave in
    /// the store, in place of one hash over the rows in id order) makes results cached by an
    /// earlier engine stale.
    static let engineVersion = "cascade-engine/4"

    /// XXH3-128 over the resolved inputs the run reads: engine version, scenario values (units
    /// normalised, as-of resolved), the digest of every entity and relationship (`worldDigest`),
    /// the formula versions, coefficient rows and macro_data points actually read. Anything else
    /// cannot change the result.
    /// - Complexity: O(1) for the world when it came from a snapshot with its digest, else O(V + E)
    ///   plus the size of the metadata; plus what the scenario reads.
    func fingerprint() -> String {
        fingerprint(formulas: formulasUsed, coefficientRows: coefficientRowsRead)
    }

    /// The fingerprint with the given formula versions and coefficient rows in place of the ones
    /// this run read: with a previous result's, it is that result's fingerprint exactly when
    /// nothing else the run reads changed (how an incremental re-run checks it may reuse it).
    func fingerprint(formulas formulasUsed: [String: RegistryFormula], coefficientRows coefficientRowsRead: [String: SectorCoefficient]) -> String {
        var hasher = Fingerprinter()
        hasher.add(PreparedRun.engineVersion)
        hasher.add(scenario.asOf)
        for k in variableNames.indices.sorted(by: { byteOrder(variableNames[$0], variableNames[$1]) }) {
            hasher.add(variableNames[k])
            hasher.add(variableValues[k])
            hasher.add(variableBaselines[k])
        }
        for level in 0..<10 {
            let s = scenario.settings(for: level)
            hasher.add(s.isEnabled)
            hasher.add(s.damping)
            hasher.add(s.clamp.lowerBound)
            hasher.add(s.clamp.upperBound)
            hasher.add(s.maxCycleRounds)
            hasher.add(s.tolerance)
            hasher.add(s.relaxation)
        }
        for (id, value) in scenario.entityShocks.sorted(by: { byteOrder($0.key, $1.key) }) {
            hasher.add(id)
            hasher.add(value)
        }
        hasher.add(scenario.feedbackRounds)
        if scenario.sensitivities {  // absent from plain runs' fingerprints: a result without them never answers for them
            hasher.add("sensitivities")
        }
        if let monteCarlo = scenario.monteCarlo {  // absent from point scenarios' fingerprints, which stay valid
            hasher.add("monte-carlo")
            hasher.add(monteCarlo.draws)
            hasher.add(monteCarlo.seed)
            hasher.add(monteCarlo.threshold)
            for name in monteCarlo.variables {
                let (kind, parameters) = monteCarlo.distributions[name]!.parameters
                hasher.add(name)
                hasher.add(kind)
                for (_, value) in parameters { hasher.add(value) }
            }
            if let correlation = monteCarlo.correlation {
                hasher.add("correlation")
                for name in correlation.variables { hasher.add(name) }
                for value in correlation.matrix { hasher.add(value) }
            }
        }
        if let convergence = scenario.feedbackConvergence {  // absent from older fingerprints, which stay valid
            hasher.add("feedback:converge")
            hasher.add(convergence.tolerance)
        }
        hasher.add(worldDigest)
        for reference in formulasUsed.keys.sorted(by: byteOrder) {
            let formula = formulasUsed[reference]!
            hasher.add(reference)
            hasher.add(formula.contentHash)
            hasher.add(formula.text)
            for (name, type) in formula.parameters.sorted(by: { byteOrder($0.key, $1.key) }) {
                hasher.add(name)
                hasher.add(type)
            }
        }
        for id in coefficientRowsRead.keys.sorted(by: byteOrder) {
            let row = coefficientRowsRead[id]!
            hasher.add(row.id)
            hasher.add(row.sector)
            hasher.add(row.coefficientType)
            hasher.add(row.value)
            hasher.add(row.effectiveDate)
            hasher.add(row.isActive)
        }
        for point in macroPointsRead.sorted(by: { ($0.variable, $0.date) < ($1.variable, $1.date) }) {
            hasher.add(point.variable)
            hasher.add(point.date)
            hasher.add(point.value)
            hasher.add(point.unit)
        }
        return hasher.finish()
    }

    /// The digest of every entity (id, type, name, category, level, canonical metadata) and every
    /// relationship (id, ends, type, weight, formula, canonical metadata): the part of the
    /// fingerprint that depends on the world alone (`WorldDigest`). A world read from a snapshot
    /// brings the digest computed when the snapshot was written, a world read from a store the
    /// digest recorded at its world version (`knownWorldDigest`); otherwise it is computed here
    /// (`worldDigestSource` says which).
    /// - Complexity: O(V + E) plus the size of the metadata, once per run without a known digest.
    var worldDigest: String {
        if let knownWorldDigest { return knownWorldDigest }
        let computed = computedWorldDigest
        hashedWorldDigest = computed
        knownWorldDigest = computed.text
        worldDigestSource = "hashed"
        return computed.text
    }

    /// `WorldDigest` over the prepared columns (every entity and relationship, whatever digest
    /// the world came with): what a run records in the store for the next one.
    var computedWorldDigest: WorldDigest {
        // The columns as locals: read through `self` (a class), every element access retained and
        // released the whole array — most of the phase's time at 1 M / 5 M.
        let (ids, types, names, categories, levels, metadataTexts) = (ids, types, names, categories, levels, metadataTexts)
        let (relationshipIDs, relationshipSources, relationshipTargets) = (relationshipIDs, relationshipSources, relationshipTargets)
        let (relationshipTypeNames, relationshipTypes) = (relationshipTypeNames, relationshipTypes)
        let (relationshipHasWeight, relationshipWeights) = (relationshipHasWeight, relationshipWeights)
        let (relationshipFormulas, texts, relationshipMetadata, canonicalMetadata) = (relationshipFormulas, texts, relationshipMetadata, canonicalMetadata)
        var digest = WorldDigest()
        for i in ids.indices {
            digest.addEntity(id: ids[i], type: types[i], name: names[i], category: categories[i], level: levels[i],
                             metadata: metadataTexts[i])
        }
        for r in relationshipIDs.indices {
            digest.addRelationship(id: relationshipIDs[r], source: ids[Int(relationshipSources[r])], target: ids[Int(relationshipTargets[r])],
                                   type: relationshipTypeNames[Int(relationshipTypes[r])],
                                   weight: relationshipHasWeight[r] ? relationshipWeights[r] : nil,
                                   formula: relationshipFormulas[r] < 0 ? nil : texts[Int(relationshipFormulas[r])],
                                   metadata: relationshipMetadata[r] < 0 ? "" : canonicalMetadata[Int(relationshipMetadata[r])] ?? "")
        }
        return digest
    }
}
