import CascadeStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What is at a `--db` path before the store is opened, so that opening never creates a
/// directory nor turns a file that is not a SQLite database (an empty file, a JSON file, a FIFO)
/// into one: SQLite itself would silently adopt an empty file and write its schema into it.
enum SQLiteFile {
    enum State: Equatable {
        /// Nothing is there, and its directory exists.
        case missing
        /// Nothing is there, nor is its directory.
        case missingDirectory
        /// A SQLite database (its first 16 bytes are SQLite's header).
        case database
    }

    /// `"SQLite format 3\0"`, the first bytes of every SQLite database file.
    static let header: [UInt8] = Array("SQLite format 3".utf8) + [0]

    /// Looks at `path` without changing anything; throws when something is there that is not a
    /// SQLite database.
    static func state(of path: String) throws -> State {
        var info = stat()
        guard stat(path, &info) == 0 else {
            guard errno == ENOENT else { throw unusable(path, "cannot be read: \(String(cString: strerror(errno)))") }
            var parent = stat()
            return stat(parentDirectory(of: path), &parent) == 0 && parent.st_mode & S_IFMT == S_IFDIR ? .missing : .missingDirectory
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw unusable(path, "is a directory, not a SQLite store")
        default: throw unusable(path, "is not a regular file (a device, FIFO or socket), not a SQLite store")
        }
        guard info.st_size >= header.count, let file = fopen(path, "rb") else {
            throw unusable(path, info.st_size == 0 ? "is an empty file, not a SQLite store" : "is not a SQLite store")
        }
        defer { fclose(file) }
        var first = [UInt8](repeating: 0, count: header.count)
        let read = first.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        guard read == header.count, first == header else {
            throw unusable(path, "is not a SQLite store (its first bytes are not SQLite's header)")
        }
        return .database
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Removes a store file this process created, with SQLite's companion files.
    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(path + suffix) }
    }

    private static func unusable(_ path: String, _ what: String) -> StoreError {
        StoreError(.invalidInput, "`\(path)` \(what)",
                   hint: "name a store made by `cascade init`, or a new file for `cascade init --db PATH`; cascade never overwrites other files")
    }
}
