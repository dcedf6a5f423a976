import CascadeJSON
import Foundation

/// A world file read and decoded: every row and every problem the file shows by itself, before
/// the checks against the store. The stage of an import that needs no database, so it can run
/// on a thread of its own (`DecodingAhead`).
struct DecodedWorldFile {
    let path: String
    /// The file's bytes, kept to place problems by line and column.
    let bytes: [UInt8]
    var decoder: WorldDecoder
    var world: World
    /// When reading began and parsing ended.
    let started: Date
    let parsed: Date

    /// Reads and decodes `path`. Throws `StoreError` for a file that cannot be read (`.io`) or
    /// is not JSON (`.invalidInput`, placed at file:line:column); nothing is written either way.
    init(path: String, progress: (WorkProgress) -> Void) throws {
        started = Date()
        self.path = path
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw StoreError(.io, "cannot read the world file: \(error.localizedDescription)", location: path,
                             hint: "check the path")
        }
        progress(WorkProgress("parsing and validating \(bytes.count) bytes"))
        // Parsing and the checks of each row are one pass over the bytes; the checks against
        // the store follow.
        do throws(JSONError) {
            (decoder, world) = try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) in
                try WorldDecoder.decode(bytes: buffer, file: path, progress: progress)
            }
        } catch {
            throw StoreError(.invalidInput, "the world file is not valid JSON: \(error.message)",
                             location: error.place(file: path),
                             hint: "fix the JSON syntax; nothing was written")
        }
        parsed = Date()
    }
}
