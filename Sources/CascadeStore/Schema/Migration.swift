/// One named, ordered schema step, written once per backend.
public struct Migration: Sendable {
    public let id: Int
    public let name: String
    let sqlite: String
    let postgresql: String

    func script(for dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: sqlite
        case .postgresql: postgresql
        }
    }
}
