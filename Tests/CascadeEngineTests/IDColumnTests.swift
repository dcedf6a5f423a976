@testable import CascadeEngine
import CascadeStore
import Testing

/// An `IDColumn` answers exactly what the strings it holds would: each id, equality, byte order,
/// and the bytes a result document and a world snapshot write for it.
struct IDColumnTests {
    static let columns: [(name: String, ids: [String])] = [
        ("uuids", ["0f6b1a5e-3c1d-4a8e-9b2f-7d6c5e4f3a2b", "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "ffffffff-ffff-ffff-ffff-ffffffffffff"]),
        ("unsorted uuids", ["a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "0f6b1a5e-3c1d-4a8e-9b2f-7d6c5e4f3a2b", "0f6b1a5e-3c1d-4a8e-9b2f-7d6c5e4f3a2a"]),
        ("duplicate uuids", ["0f6b1a5e-3c1d-4a8e-9b2f-7d6c5e4f3a2b", "0f6b1a5e-3c1d-4a8e-9b2f-7d6c5e4f3a2b"]),
        ("mixed", ["rel-1", "0f6b1a5e-3c1d-4a8e-9b2f-7d6c5e4f3a2b", "0F6B1A5E-3C1D-4A8E-9B2F-7D6C5E4F3A2B", "00000000-0000-0000-0000-000000000000",
                   "0f6b1a5e_3c1d_4a8e_9b2f_7d6c5e4f3a2b", "é-ünïcode", "", "rel-1"]),
        ("zero uuid only", ["00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000"]),
        ("short texts", ["rel-b", "rel-a", "rel-c"]),
        ("empty", []),
    ]

    @Test(arguments: columns)
    func itAnswersAsItsStrings(name: String, ids: [String]) throws {
        let column = IDColumn(ids)
        #expect(Array(column) == ids, "\(name)")
        for k in ids.indices { #expect(column.withUTF8(k) { Array($0) } == Array(ids[k].utf8)) }
        for a in ids.indices { for b in ids.indices { #expect(column.idsEqual(a, b) == (ids[a] == ids[b])) } }
        #expect(column.isByteOrdered == isByteOrdered(ids))
        #expect(column.byteOrderPermutation() == byteOrderPermutation(ids))
        let order = byteOrderPermutation(ids)
        #expect(Array(column.permuted(order)) == permuted(ids, order))
        var appended = IDColumn()
        for id in ids { id.utf8.withContiguousStorageIfAvailable { appended.append(bytes: $0) } }
        #expect(appended == column)
    }

    /// A result document and a snapshot hold the same bytes for the column as for its strings,
    /// and read back the same ids.
    @Test(arguments: columns)
    func itIsWrittenAsItsStrings(name: String, ids: [String]) throws {
        let column = IDColumn(ids)
        func document(_ write: (inout ResultColumns.Writer<Never>) -> Void) -> [UInt8] {
            var bytes: [UInt8] = []
            var writer = ResultColumns.Writer<Never>(partBytes: .max) { bytes += $0 }
            write(&writer)
            writer.finish()
            return bytes
        }
        let asColumn = document { $0.ids(column) }, asStrings = document { $0.strings(ids) }
        #expect(asColumn == asStrings, "\(name)")
        var reader = ResultColumns.Reader(bytes: asColumn)
        reader.version = 2
        #expect(Array(try reader.ids()) == ids)
        var snapshot = SnapshotWriter(), plain = SnapshotWriter()
        snapshot.ids(column)
        plain.strings(ids)
        #expect(snapshot.bytes == plain.bytes)
        let readBack = try snapshot.bytes.withUnsafeBytes { raw throws -> IDColumn in
            var r = SnapshotReader(raw)
            return try r.ids()
        }
        #expect(Array(readBack) == ids)
    }
}
