import CascadeStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file a command writes (`--out`): always a regular file, replaced whole or not at all.
///
/// The path is checked before the command does its work: a directory, device, FIFO or socket,
/// the store itself, or a missing directory is refused with nothing written. The bytes go to a
/// temporary file beside the target, which takes the existing file's permissions (a new file
/// gets the usual 0666 less the umask) and is then renamed over it, so a reader never sees half
/// a file and an interrupted write leaves the old one.
struct OutputFile {
    /// The path written (a symbolic link's target, so the link stays a link).
    let path: String
    /// The permissions of the file being replaced, or nil for a new file.
    private let existingMode: mode_t?

    /// Checks `path` for `option` (`--out`); `store` is the command's store, which is never a target.
    init(_ path: String, option: String, store: StoreLocation?) throws {
        var target = path
        if let resolved = realpath(path, nil) {
            target = String(cString: resolved)
            free(resolved)
        }
        var info = stat()
        if stat(target, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: throw Self.refusal(option, path, "is a directory")
            default: throw Self.refusal(option, path, "is not a regular file (a device, FIFO or socket)")
            }
            if case .sqlite(let storePath)? = store {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    var storeInfo = stat()
                    if stat(storePath + suffix, &storeInfo) == 0, storeInfo.st_dev == info.st_dev, storeInfo.st_ino == info.st_ino {
                        throw Self.refusal(option, path, "is the store itself")
                    }
                }
            }
            existingMode = info.st_mode & 0o7777
        } else {
            let directory = SQLiteFile.parentDirectory(of: target)
            var parent = stat()
            guard stat(directory, &parent) == 0, parent.st_mode & S_IFMT == S_IFDIR else {
                throw Self.refusal(option, path, "is in a directory that does not exist (`\(directory)`)")
            }
            existingMode = nil
        }
        self.path = target
    }

    /// Writes `bytes` to a temporary file beside the target and renames it over the target.
    func write(_ bytes: [UInt8]) throws {
        try write { put in try put(bytes) }
    }

    /// Writes what `produce` hands to its function, piece by piece, to a temporary file beside
    /// the target, and renames it over the target once `produce` returns: a document too large to
    /// hold is written without holding it, and a failure (of `produce` or of a write) leaves the
    /// target as it was.
    func write(_ produce: (_ put: ([UInt8]) throws -> Void) throws -> Void) throws {
        var template = Array((SQLiteFile.parentDirectory(of: path) + "/.cascade-out-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw failure("cannot create a temporary file beside it") }
        let temporary = String(cString: template)
        do {
            try produce { bytes in
                var written = 0
                while written < bytes.count {
                    let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                    if n <= 0 { throw failure(String(cString: strerror(errno))) }
                    written += n
                }
            }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        let mode = existingMode ?? (0o666 & ~Self.umaskValue())
        let ok = fchmod(fd, mode) == 0 && fsync(fd) == 0
        let reason = String(cString: strerror(errno))
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            let why = ok ? String(cString: strerror(errno)) : reason
            unlink(temporary)
            throw failure(why)
        }
    }

    private func failure(_ why: String) -> StoreError {
        StoreError(.io, "cannot write \(path): \(why)", hint: "nothing was written")
    }

    private static func refusal(_ option: String, _ path: String, _ what: String) -> StoreError {
        StoreError(.invalidInput, "`\(option) \(path)`: \(path) \(what); \(option) must name a regular file",
                   hint: "nothing was written; give a file path such as result.json")
    }

    private static func umaskValue() -> mode_t {
        let current = umask(0)
        umask(current)
        return current
    }
}
