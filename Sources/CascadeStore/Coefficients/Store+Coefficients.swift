import CascadeJSON

extension Store {
    /// Appends a coefficient row (audited). Returns false when an identical row already exists.
    @discardableResult
    package func addCoefficient(_ coefficient: SectorCoefficient) throws -> Bool {
        try write { db in try self.insertCoefficients([coefficient], db) == 1 }
    }

    /// Inserts rows that are not there yet; audits each new one. Returns how many were new.
    func insertCoefficients(_ rows: [SectorCoefficient], _ db: any DatabaseConnection) throws -> Int {
        var added = 0
        for row in rows {
            let changed = try db.execute(
                "INSERT INTO sector_coefficients (\(SectorCoefficient.columns), created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                row.arguments + [.text(now()), .text(now())])
            if changed > 0 {
                added += 1
                try audit(db, action: "add", table: "sector_coefficients", row: row.id, before: nil, after: row.json)
            }
        }
        return added
    }

    /// Coefficient rows, newest effective date first, optionally for one sector and/or type.
    package func coefficients(sector: String? = nil, type: String? = nil, includeInactive: Bool = true) throws -> [SectorCoefficient] {
        try read { db in
            try db.query("""
                SELECT \(SectorCoefficient.columns) FROM sector_coefficients
                WHERE (CAST(? AS TEXT) IS NULL OR sector = ?) AND (CAST(? AS TEXT) IS NULL OR coefficient_type = ?)
                  AND (is_active = ? OR ? = 1)
                ORDER BY sector, coefficient_type, effective_date DESC, created_at DESC, id
                """, [.text(sector), .text(sector), .text(type), .text(type), .bool(true), .integer(includeInactive ? 1 : 0)])
                .map(SectorCoefficient.init(row:))
        }
    }

    /// The value in force for (sector, type) on `date`: the active row with the latest
    /// `effective_date` on or before it (ties: the most recently added).
    package func activeCoefficient(sector: String, type: String, asOf date: String) throws -> SectorCoefficient? {
        try read { db in
            try db.queryOne("""
                SELECT \(SectorCoefficient.columns) FROM sector_coefficients
                WHERE sector = ? AND coefficient_type = ? AND is_active = ? AND effective_date <= ?
                ORDER BY effective_date DESC, created_at DESC, id DESC LIMIT 1
                """, [.text(sector), .text(type), .bool(true), .text(date)]).map(SectorCoefficient.init(row:))
        }
    }

    /// Activates or deactivates a row by id (a unique prefix of at least 8 characters is enough).
    @discardableResult
    package func setCoefficientActive(id: String, _ isActive: Bool) throws -> SectorCoefficient {
        try write { db in
            let matches = try db.query(
                "SELECT \(SectorCoefficient.columns) FROM sector_coefficients WHERE CAST(id AS TEXT) LIKE ? ESCAPE '\\' ORDER BY id LIMIT 2"
                    + (db.dialect == .postgresql ? " FOR UPDATE" : ""),
                [.text(Self.likePrefix(id))]).map(SectorCoefficient.init(row:))
            guard id.count >= 8, let row = matches.first else {
                throw StoreError(.notFound, "no sector coefficient with id `\(id)`", location: location.description,
                                 hint: "run `cascade coefficient list` to see ids (at least 8 characters)")
            }
            guard matches.count == 1 else {
                throw StoreError(.invalidInput, "`\(id)` matches more than one coefficient", hint: "give more of the id")
            }
            guard row.isActive != isActive else { return row }
            try db.execute("UPDATE sector_coefficients SET is_active = ?, updated_at = ? WHERE id = ?",
                           .bool(isActive), .text(now()), .text(row.id))
            var after = row
            after.isActive = isActive
            try audit(db, action: isActive ? "activate" : "deactivate", table: "sector_coefficients", row: row.id,
                      before: row.json, after: after.json)
            return after
        }
    }

    static func likePrefix(_ text: String) -> String {
        var escaped = ""
        for ch in text {
            if ch == "%" || ch == "_" || ch == "\\" { escaped.append("\\") }
            escaped.append(ch)
        }
        return escaped + "%"
    }
}
