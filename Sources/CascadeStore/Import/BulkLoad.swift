/// Makes a large load into one table cheaper, inside the caller's transaction: secondary
/// indexes (and on PostgreSQL, foreign-key constraints) are dropped first and rebuilt once at the
/// end — one sort instead of a random B-tree insert per row. DDL is transactional on both
/// backends, so an error or a crash restores them along with everything else.
///
/// On PostgreSQL this holds an exclusive lock on the table until commit; readers wait for the
/// load. Only used above `threshold` rows.
struct BulkLoad {
    static let threshold = 20_000

    private var restore: [String] = []

    /// A bulk load of `rows` rows into `table`, or nil when maintaining its indexes row by row
    /// costs less: below `threshold`, or when the table already holds at least as many rows (a
    /// re-import of the same file mostly finds its rows unchanged and leaves the indexes alone).
    static func ifWorthIt(table: String, rows: Int, indexes: [String], _ db: any DatabaseConnection) throws -> BulkLoad? {
        guard rows >= threshold else { return nil }
        let existing = try db.queryOne("SELECT COUNT(*) AS n FROM \(table)")?.int("n") ?? 0
        return existing < rows ? try BulkLoad(table: table, indexes: indexes, db) : nil
    }

    /// Drops `indexes` of `table` (and its foreign keys on PostgreSQL), remembering how to rebuild them.
    init(table: String, indexes: [String], _ db: any DatabaseConnection) throws {
        switch db.dialect {
        case .sqlite:
            for name in indexes {
                guard let sql = try db.queryOne("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", [.text(name)])?.string("sql") else { continue }
                restore.append(sql)
                try db.execute("DROP INDEX \(name)")
            }
        case .postgresql:
            for name in indexes {
                guard let sql = try db.queryOne(
                    "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? AND indexname = ?",
                    [.text(table), .text(name)])?.string("indexdef") else { continue }
                restore.append(sql)
                try db.execute("DROP INDEX \(name)")
            }
            let constraints = try db.query(
                "SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = to_regclass(?) AND contype = 'f' ORDER BY conname",
                [.text(table)])
            for row in constraints {
                guard let name = row.string("conname"), let def = row.string("def") else { continue }
                let quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                try db.execute("ALTER TABLE \(table) DROP CONSTRAINT \(quoted)")
                restore.append("ALTER TABLE \(table) ADD CONSTRAINT \(quoted) \(def)")
            }
        }
    }

    /// Rebuilds what `init` dropped (re-adding a foreign key validates every row at once).
    func finish(_ db: any DatabaseConnection) throws {
        for sql in restore { try db.execute(sql) }
    }
}
