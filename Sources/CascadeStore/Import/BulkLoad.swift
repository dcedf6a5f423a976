/// Makes a large load into one table cheaper, inside the caller's transaction: secondary
/// indexes (on PostgreSQL, also foreign-key constraints; on SQLite, the per-row triggers that
/// count writes) are dropped first and rebuilt once at the end — one sort instead of a random B-tree insert per row. DDL is transactional on both
/// backends, so an error or a crash restores them along with everything else.
///
/// On PostgreSQL this holds an exclusive lock on the table until commit; readers wait for the
/// load. Only used above `threshold` rows.
struct BulkLoad {
    static let threshold = 20_000

    private var restore: [String] = []
    /// Whether the table's write-counting triggers (migration 14) were dropped: they would run
    /// once per row (0.19 s per 600 k rows), so the load counts its writes once, in `finish`.
    private var countsWrites = false

    /// How much larger than the rows a file adds a table may be for a bulk load still to pay:
    /// rebuilding an index sorts every row of the table once, while keeping it row by row costs
    /// the new rows one random B-tree insert each, which is many times a sorted entry's cost once
    /// the index outgrows the page cache (a split world's relationships files, each adding a
    /// million edges to a table of up to four million).
    static let largestTablePerNewRow = 8

    /// Rows of a file probed to estimate how many of its rows the table already holds.
    static let sampleSize = 64

    /// A bulk load into `table` of rows whose store ids (`id`) are `keys` (in key order), or nil
    /// when maintaining its indexes row by row costs less: when fewer than `threshold` of the rows
    /// are new (a re-import of the same file mostly finds its rows stored and leaves the indexes
    /// alone), or when the table is more than `largestTablePerNewRow` times larger than what the
    /// file adds. How many rows are new is estimated from `sampleSize` keys spread over the file.
    static func ifWorthIt(table: String, keys: [(high: UInt64, low: UInt64, index: Int)], indexes: [String], _ db: any DatabaseConnection) throws -> BulkLoad? {
        guard keys.count >= threshold else { return nil }
        let existing = try db.queryOne("SELECT COUNT(*) AS n FROM \(table)")?.int("n") ?? 0
        var newRows = keys.count
        if existing > 0 {
            let sample = (0..<sampleSize).map { keys[$0 * keys.count / sampleSize] }.map { ContentHash.format(($0.high, $0.low)) }
            let marks = Array(repeating: "?", count: sample.count).joined(separator: ",")
            let stored = try db.queryOne("SELECT COUNT(*) AS n FROM \(table) WHERE id IN (\(marks))", sample.map { .text($0) })?.int("n") ?? 0
            newRows = keys.count * (sample.count - stored) / sample.count
        }
        guard newRows >= threshold, existing <= newRows * largestTablePerNewRow else { return nil }
        return try BulkLoad(table: table, indexes: indexes, db)
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
            let triggers = try db.query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name LIKE ? ESCAPE '!'",
                [.text(table), .text("%!_counted")])
            for row in triggers {
                guard let name = row.string("name"), let sql = row.string("sql") else { continue }
                restore.append(sql)
                try db.execute("DROP TRIGGER \(name)")
                countsWrites = true
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

    /// Rebuilds what `init` dropped (re-adding a foreign key validates every row at once), and
    /// counts the load as one write where the counting triggers were dropped.
    func finish(_ db: any DatabaseConnection) throws {
        for sql in restore { try db.execute(sql) }
        if countsWrites { try db.execute("UPDATE world_digest SET changes = changes + 1 WHERE id = 1") }
    }
}

/// The bulk loads open in one import transaction, by table: a table's indexes are dropped at the
/// first file worth a bulk load and rebuilt once, by `finish`, after the import's last file.
struct BulkLoads {
    private var open: [(table: String, load: BulkLoad)] = []

    /// Starts a bulk load of `table` if none is open and `BulkLoad.ifWorthIt` says it pays.
    mutating func begin(table: String, keys: [(high: UInt64, low: UInt64, index: Int)], indexes: [String], _ db: any DatabaseConnection) throws {
        guard !open.contains(where: { $0.table == table }),
              let load = try BulkLoad.ifWorthIt(table: table, keys: keys, indexes: indexes, db) else { return }
        open.append((table, load))
    }

    /// Rebuilds every open load's indexes, in the order they were dropped. Each rebuild is one
    /// sort of the table's rows, done with SQLite's sorter in its file mode (one packed buffer,
    /// runs spilled to a temporary file past `cache_size`) instead of one allocation per record:
    /// measured (perf, 100 k world) the relationships rebuild was 30 % of the import's CPU,
    /// a tenth of it in malloc and free.
    mutating func finish(_ db: any DatabaseConnection, progress: (WorkProgress) -> Void) throws {
        guard !open.isEmpty else { return }
        try db.setSortsInTemporaryFiles(true)
        defer { try? db.setSortsInTemporaryFiles(false) }
        for (table, load) in open {
            progress(WorkProgress("indexing \(table)"))
            try load.finish(db)
        }
        try db.setSortsInTemporaryFiles(false)
        open = []
    }
}
