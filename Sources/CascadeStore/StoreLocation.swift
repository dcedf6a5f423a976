/// Where a store lives: a SQLite file or a PostgreSQL server.
package enum StoreLocation: Hashable, Sendable, CustomStringConvertible {
    case sqlite(path: String)
    case postgresql(url: String)

    /// The embedded default, relative to the working directory.
    package static let defaultPath = ".cascade/cascade.sqlite"

    /// Reads a `--db` value: `postgres://` / `postgresql://` URLs pick PostgreSQL, anything else is
    /// a SQLite file path (`sqlite:` prefix optional).
    package init(_ text: String) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgresql(url: text)
        } else if text.hasPrefix("sqlite://") {
            self = .sqlite(path: String(text.dropFirst("sqlite://".count)))
        } else if text.hasPrefix("sqlite:") {
            self = .sqlite(path: String(text.dropFirst("sqlite:".count)))
        } else {
            self = .sqlite(path: text)
        }
    }

    /// `--db` if given, else `CASCADE_DB`, else the embedded default.
    package static func resolve(option: String?, environment: [String: String]) -> (location: StoreLocation, isDefault: Bool) {
        if let option, !option.isEmpty { return (StoreLocation(option), false) }
        if let env = environment["CASCADE_DB"], !env.isEmpty { return (StoreLocation(env), false) }
        return (.sqlite(path: defaultPath), true)
    }

    package var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgresql(let url): PostgresConnection.redacted(url)
        }
    }
}
