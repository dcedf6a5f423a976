/// One row of the seed's `get_entity_graph`.
package struct EntityGraphEdge: Sendable, Equatable {
    package var entityName: String
    package var relationshipType: String
    package var connectedEntity: String
    package var weight: Double?
}

/// The entities and relationships of a store, as the engine loads them.
package struct WorldSnapshot: Sendable {
    package var entities: [EntityRecord]
    package var relationships: [RelationshipRecord]
}

extension Store {
    /// The seed's `get_entity_graph`: every relationship touching the entity with file id `id`.
    package func entityGraph(of id: String) throws -> [EntityGraphEdge] {
        try read { db in
            try db.query("""
                SELECT e1.name AS entity_name, r.type AS relationship_type, e2.name AS connected_entity, r.weight AS weight
                FROM relationships r
                JOIN entities e1 ON r.source_entity_id = e1.id
                JOIN entities e2 ON r.target_entity_id = e2.id
                WHERE r.source_entity_id = ? OR r.target_entity_id = ?
                ORDER BY r.external_id
                """, [.text(ContentHash.stableID("entity", id)), .text(ContentHash.stableID("entity", id))]).map { row in
                EntityGraphEdge(entityName: row.string("entity_name") ?? "", relationshipType: row.string("relationship_type") ?? "",
                                connectedEntity: row.string("connected_entity") ?? "", weight: row.double("weight"))
            }
        }
    }

    /// One entity by its file id.
    package func entity(_ id: String) throws -> EntityRecord? {
        try read { db in
            try db.queryOne("SELECT external_id, type, name, description, category, ontology_level, CAST(metadata AS TEXT) AS metadata FROM entities WHERE external_id = ?",
                            [.text(id)]).map(Self.entityRecord)
        }
    }

    /// Entities by file id, optionally on one level or of one type, a page at a time.
    package func entities(level: Int? = nil, type: String? = nil, limit: Int = 100, offset: Int = 0) throws -> [EntityRecord] {
        try read { db in
            try db.query("""
                SELECT external_id, type, name, description, category, ontology_level, CAST(metadata AS TEXT) AS metadata
                FROM entities WHERE (CAST(? AS INTEGER) IS NULL OR ontology_level = ?) AND (CAST(? AS TEXT) IS NULL OR type = ?)
                ORDER BY external_id LIMIT ? OFFSET ?
                """, [level.map { .integer(Int64($0)) } ?? .null, level.map { .integer(Int64($0)) } ?? .null,
                      .text(type), .text(type), .integer(Int64(limit)), .integer(Int64(offset))]).map(Self.entityRecord)
        }
    }

    /// Every entity and relationship, ordered by file id; one consistent snapshot.
    /// - Complexity: O(entities + relationships).
    package func loadWorld() throws -> WorldSnapshot {
        try read { db in
            let entities = try db.query("""
                SELECT external_id, type, name, description, category, ontology_level, CAST(metadata AS TEXT) AS metadata
                FROM entities ORDER BY external_id
                """).map(Self.entityRecord)
            let relationships = try db.query("""
                SELECT r.external_id AS external_id, s.external_id AS source, t.external_id AS target, r.type AS type,
                  r.weight AS weight, r.impact_formula AS impact_formula, CAST(r.metadata AS TEXT) AS metadata
                FROM relationships r JOIN entities s ON s.id = r.source_entity_id JOIN entities t ON t.id = r.target_entity_id
                ORDER BY r.external_id
                """).map { row in
                RelationshipRecord(id: row.string("external_id") ?? "", sourceID: row.string("source") ?? "",
                                   targetID: row.string("target") ?? "", type: row.string("type") ?? "",
                                   weight: row.double("weight"), impactFormula: row.string("impact_formula"),
                                   metadata: row.string("metadata"))
            }
            return WorldSnapshot(entities: entities, relationships: relationships)
        }
    }

    /// Every entity, then every relationship, streamed in storage order (unsorted) from one
    /// consistent snapshot, without collecting rows: the engine's loader. Entity columns: 0 `id`
    /// (the store's key), 1 `external_id`, 2 `type`, 3 `name`, 4 `category`, 5 `ontology_level`,
    /// 6 `metadata` (text). Relationship columns: 0 `external_id`, 1 `source_entity_id`,
    /// 2 `target_entity_id` (store keys), 3 `type`, 4 `weight`, 5 `impact_formula`, 6 `metadata`.
    /// - Complexity: O(entities + relationships), two table scans; no join, no sort.
    package func scanWorld(entities: (RowCursor) throws -> Void, relationships: (RowCursor) throws -> Void) throws {
        try read { db in
            try db.forEachRow("""
                SELECT id, external_id, type, name, category, ontology_level, CAST(metadata AS TEXT) AS metadata FROM entities
                """, [], entities)
            try db.forEachRow("""
                SELECT external_id, source_entity_id, target_entity_id, type, weight, impact_formula,
                  CAST(metadata AS TEXT) AS metadata
                FROM relationships
                """, [], relationships)
        }
    }

    /// Row counts of the seed tables (for `cascade init`, tests and the benchmark).
    package func tableCounts() throws -> [String: Int] {
        try read { db in
            var counts: [String: Int] = [:]
            for table in ["entities", "relationships", "sector_coefficients", "formulas", "scenarios", "macro_data",
                          "financial_data", "audit_log", "run_log"] {
                counts[table] = try db.queryOne("SELECT COUNT(*) AS n FROM \(table)")?.int("n") ?? 0
            }
            return counts
        }
    }

    private static func entityRecord(_ row: Row) -> EntityRecord {
        EntityRecord(id: row.string("external_id") ?? "", type: row.string("type") ?? "", name: row.string("name") ?? "",
                     description: row.string("description"), category: row.string("category"),
                     ontologyLevel: row.int("ontology_level"), metadata: row.string("metadata"))
    }
}
