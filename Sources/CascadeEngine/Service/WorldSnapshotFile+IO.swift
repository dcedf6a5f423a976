#if canImport(Glibc)
import Glibc
#endif

extension WorldSnapshotFile {
    /// The world in the file at `path` when its key is `key`; nil when there is no file. Maps the
    /// file read-only (a writer never changes a file in place: it renames a new one over it, so
    /// a mapping stays whole). Throws a `Rejection` for a file that is not whole, or has another key.
    static func read(path: String, key: String) throws(Rejection) -> Contents? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw Rejection(reason: "cannot read the file's size") }
        let size = Int(status.st_size)
        guard size > 0 else { throw Rejection(reason: "the file is empty") }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw Rejection(reason: "cannot map the file")
        }
        defer { munmap(base, size) }
        let file = UnsafeRawBufferPointer(start: base, count: size)
        let found = try header(file).key
        guard found == key else { throw Rejection(reason: "the snapshot is of another data version (\(found), not \(key))") }
        return try decode(file)
    }

    /// Writes `parts`, one after the other, to a temporary file beside `path` and renames it over `path` (atomic: a
    /// reader sees the old file or the new one, and concurrent writers of the same world each
    /// put a whole file in place). Creates the directory when missing. Returns false (leaving
    /// nothing behind) when it cannot; a snapshot is a cache, and a run does not fail for it.
    @discardableResult
    static func write(_ parts: [[UInt8]], to path: String) -> Bool {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        makeDirectories(directory)
        let temporary = path + ".tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        let complete = parts.allSatisfy { part in
            part.withUnsafeBytes { buffer -> Bool in
                var written = 0
                while written < buffer.count {
                    let n = Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { return false }
                    written += n
                }
                return true
            }
        }
        guard close(fd) == 0, complete, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }

    /// `mkdir -p`, ignoring failures (the write that follows reports them).
    private static func makeDirectories(_ path: String) {
        guard !path.isEmpty, access(path, F_OK) != 0 else { return }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex { makeDirectories(String(path[..<slash])) }
        mkdir(path, 0o755)
    }
}
