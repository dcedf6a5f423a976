/// One named, ordered schema step, written once per backend.
package struct Migration: Sendable {
    package let id: Int
    package let name: String
    let sqlite: String
    let postgresql: String

    func script(for dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: sqlite
        case .postgresql: postgresql
        }
    }
}
