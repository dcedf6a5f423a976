import CXXHash
import CascadeStore

/// Whether runs use world snapshots (see `WorldSnapshotFile`), and where they live: next to a SQLite
/// store (`STORE.sqlite.cascade-snapshot`), in a cache directory for PostgreSQL (a file named by
/// a hash of the connection target, without its password).
package struct SnapshotSettings: Sendable, Equatable {
    /// False with `CASCADE_SNAPSHOT=off`: snapshots are neither read nor written.
    package var isEnabled: Bool
    /// Where PostgreSQL stores' snapshots live; nil when there is no such place (no home).
    package var cacheDirectory: String?

    package init(isEnabled: Bool = true, cacheDirectory: String?) {
        self.isEnabled = isEnabled
        self.cacheDirectory = cacheDirectory
    }

    /// Snapshots are off.
    package static let off = SnapshotSettings(isEnabled: false, cacheDirectory: nil)

    /// `CASCADE_SNAPSHOT` (`off`, `0`, `false` or `no` turns them off) and the cache directory:
    /// `CASCADE_CACHE_DIR`, else `$XDG_CACHE_HOME/cascade`, else `~/.cache/cascade`.
    package static func environment(_ env: [String: String]) -> SnapshotSettings {
        let switchedOff = ["off", "0", "false", "no"].contains(env["CASCADE_SNAPSHOT"]?.lowercased() ?? "")
        let directory: String?
        if let dir = env["CASCADE_CACHE_DIR"], !dir.isEmpty {
            directory = dir
        } else if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty {
            directory = xdg + "/cascade"
        } else if let home = env["HOME"], !home.isEmpty {
            directory = home + "/.cache/cascade"
        } else {
            directory = nil
        }
        return SnapshotSettings(isEnabled: !switchedOff, cacheDirectory: directory)
    }

    /// The snapshot file of a store; nil when snapshots are off or the store has no place for one
    /// (an in-memory SQLite database, PostgreSQL without a cache directory).
    package func path(for location: StoreLocation) -> String? {
        guard isEnabled else { return nil }
        switch location {
        case .sqlite(let path):
            guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file::memory:") else { return nil }
            return path + ".cascade-snapshot"
        case .postgresql(let url):
            guard let cacheDirectory else { return nil }
            var target = SnapshotSettings.withoutPassword(url)
            let hash = target.withUTF8 { XXH3_64bits($0.baseAddress, $0.count) }
            let digits = String(hash, radix: 16)
            return cacheDirectory + "/world-" + String(repeating: "0", count: 16 - digits.count) + digits + ".cascade-snapshot"
        }
    }

    /// A connection URL without the password of its user part or of a `password=` parameter.
    static func withoutPassword(_ url: String) -> String {
        var text = url
        if let scheme = text.range(of: "://") {
            let rest = text[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
                text.removeSubrange(colon..<at)
            }
        }
        guard let query = text.firstIndex(of: "?") else { return text }
        let parameters = text[text.index(after: query)...].split(separator: "&").filter { !$0.lowercased().hasPrefix("password=") }
        return String(text[..<query]) + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
    }
}
