import CascadeStore
import Crypto
import Foundation

/// API keys: `csk_<key id>_<secret>`. The key id is public (it finds the user row); only a salted
/// SHA-256 of the secret is stored, and the secret is shown once, when the key is issued.
///
/// The secret is 32 random bytes, so a fast hash is enough (no password stretching needed); the
/// salt keeps equal secrets from having equal hashes, and the comparison takes constant time.
package enum APIKey {
    static let prefix = "csk_"

    /// Creates a user with a new key; returns the row and the key, which is not stored anywhere.
    package static func issue(username: String, role: UserRole, in store: Store) throws -> (user: StoredUser, key: String) {
        let keyID = hex(randomBytes(8))
        let secret = base64URL(randomBytes(32))
        let salt = hex(randomBytes(16))
        let user = try store.insertUser(username: username, role: role, keyID: keyID, keySalt: salt,
                                        keyHash: hash(secret: secret, salt: salt))
        return (user, prefix + keyID + "_" + secret)
    }

    /// The key id and secret of a well-formed key.
    static func parse(_ key: String) -> (keyID: String, secret: String)? {
        guard key.hasPrefix(prefix), key.utf8.count < 200 else { return nil }
        let rest = key.dropFirst(prefix.count)
        guard let underscore = rest.firstIndex(of: "_") else { return nil }
        let keyID = String(rest[..<underscore]), secret = String(rest[rest.index(after: underscore)...])
        guard keyID.count == 16, keyID.allSatisfy(\.isHexDigit), !secret.isEmpty else { return nil }
        return (keyID, secret)
    }

    /// Whether `secret` is the one whose salted hash the user row holds.
    static func verify(secret: String, of user: StoredUser) -> Bool {
        constantTimeEqual(Array(hash(secret: secret, salt: user.keySalt).utf8), Array(user.keyHash.utf8))
    }

    static func hash(secret: String, salt: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(salt.utf8))
        hasher.update(data: Array(secret.utf8))
        return "sha256:" + hex(Array(hasher.finalize()))
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
