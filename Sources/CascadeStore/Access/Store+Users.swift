import CascadeJSON
import Foundation

/// What a user may do (seed 003's roles, narrowed to Cascade's resources).
package enum UserRole: String, CaseIterable, Sendable, Comparable {
    /// Everything, including other authors' scenarios and users.
    case admin
    /// Registers and (de)activates formula versions and sector coefficients; reads everything public.
    case calibrator
    /// Submits, edits and deletes their own scenarios; runs their own and any public one.
    case author
    /// Reads public scenarios, their results, formulas and the graph.
    case viewer

    package static func < (a: UserRole, b: UserRole) -> Bool {
        allCases.firstIndex(of: a)! > allCases.firstIndex(of: b)!
    }
}

/// A user row: the key's public id and the salted hash of its secret, never the secret itself.
package struct StoredUser: Sendable, Equatable {
    package var id: String
    package var username: String
    package var role: UserRole
    package var keyID: String
    package var keySalt: String
    package var keyHash: String
    package var isActive: Bool
    package var createdAt: String

    package init(id: String, username: String, role: UserRole, keyID: String, keySalt: String, keyHash: String,
                isActive: Bool, createdAt: String) {
        self.id = id
        self.username = username
        self.role = role
        self.keyID = keyID
        self.keySalt = keySalt
        self.keyHash = keyHash
        self.isActive = isActive
        self.createdAt = createdAt
    }

    /// The row without its key material, for listings and the audit log.
    package var publicJSON: JSONValue {
        .object(JSONObject([
            ("username", .string(username)), ("role", .string(role.rawValue)), ("key_id", .string(keyID)),
            ("is_active", .bool(isActive)), ("created_at", .string(createdAt)),
        ]))
    }
}

extension Store {
    private static let userColumns = "id, username, role, key_id, key_salt, key_hash, is_active, created_at"

    /// Adds a user; refuses a name that is taken. The caller hashes the key (see CascadeServer's `APIKey`).
    package func insertUser(username: String, role: UserRole, keyID: String, keySalt: String, keyHash: String) throws -> StoredUser {
        guard !username.isEmpty, username.count <= 100, !username.contains(where: \.isNewline) else {
            throw StoreError(.invalidInput, "a user name has 1 to 100 characters on one line", location: "username")
        }
        return try write { db in
            if try db.queryOne("SELECT 1 AS one FROM users WHERE username = ?", [.text(username)]) != nil {
                throw StoreError(.invalidInput, "user `\(username)` already exists", location: "username",
                                 hint: "pick another name, or `cascade user list` to see who exists")
            }
            let user = StoredUser(id: UUID().uuidString.lowercased(), username: username, role: role, keyID: keyID,
                                  keySalt: keySalt, keyHash: keyHash, isActive: true, createdAt: now())
            if isApplicationRole {
                // `cascade_app` may not write `users`; the function checks that `cascade.user` is an admin.
                _ = try db.query(
                    "SELECT 1 AS added FROM cascade_add_user(CAST(? AS UUID), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TIMESTAMPTZ))",
                    [.text(user.id), .text(username), .text(role.rawValue), .text(keyID), .text(keySalt), .text(keyHash),
                     .text(user.createdAt)])
            } else {
                try db.execute("INSERT INTO users (\(Self.userColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               .text(user.id), .text(username), .text(role.rawValue), .text(keyID), .text(keySalt),
                               .text(keyHash), .bool(true), .text(user.createdAt))
            }
            try audit(db, action: "create", table: "users", row: user.id, before: nil, after: user.publicJSON)
            return user
        }
    }

    /// The user holding the key with this public id (active or not).
    package func user(keyID: String) throws -> StoredUser? {
        try read { db in try db.queryOne("SELECT \(Self.userColumns) FROM users WHERE key_id = ?", [.text(keyID)]).map(Self.storedUser) }
    }

    /// Every user, by name.
    package func users() throws -> [StoredUser] {
        try read { db in try db.query("SELECT \(Self.userColumns) FROM users ORDER BY username").map(Self.storedUser) }
    }

    /// Enables or disables a user's key; audited.
    @discardableResult
    package func setUserActive(username: String, _ isActive: Bool) throws -> StoredUser {
        try write { db in
            guard let row = try db.queryOne("SELECT \(Self.userColumns) FROM users WHERE username = ?", [.text(username)]) else {
                throw StoreError(.notFound, "no user `\(username)`", hint: "`cascade user list` shows the users")
            }
            let before = Self.storedUser(row)
            var after = before
            after.isActive = isActive
            try db.execute("UPDATE users SET is_active = ? WHERE id = ?", .bool(isActive), .text(before.id))
            try audit(db, action: isActive ? "activate" : "deactivate", table: "users", row: before.id,
                      before: before.publicJSON, after: after.publicJSON)
            return after
        }
    }

    static func storedUser(_ row: Row) -> StoredUser {
        StoredUser(id: row.string("id") ?? "", username: row.string("username") ?? "",
                   role: UserRole(rawValue: row.string("role") ?? "") ?? .viewer, keyID: row.string("key_id") ?? "",
                   keySalt: row.string("key_salt") ?? "", keyHash: row.string("key_hash") ?? "",
                   isActive: row.bool("is_active") ?? false, createdAt: row.timestamp("created_at") ?? "")
    }
}
