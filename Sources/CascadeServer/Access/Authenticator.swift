import CascadeStore
import Foundation
import NIOConcurrencyHelpers

/// The user a request acts as.
package struct Caller: Sendable, Equatable {
    package var username: String
    package var role: UserRole
    package var keyID: String

    package var isAdmin: Bool { role == .admin }

    /// Whether the caller may see a scenario: a public one, their own, or any for an admin (on
    /// PostgreSQL row-level security applies the same rule underneath).
    package func canSee(_ scenario: StoredScenario) -> Bool {
        scenario.isPublic || scenario.author == username || isAdmin
    }
}

/// Turns an API key into a `Caller`. A verified key is remembered for `cacheSeconds`, so a busy
/// client costs one hash and no query per request; deactivating a user therefore takes effect
/// within that time.
final class Authenticator: Sendable {
    private struct Entry {
        var user: StoredUser
        var fetched: Date
    }

    private let cache = NIOLockedValueBox<[String: Entry]>([:])
    private let cacheSeconds: Double

    init(cacheSeconds: Double = 5) {
        self.cacheSeconds = cacheSeconds
    }

    enum Outcome: Sendable {
        case caller(Caller)
        case refused(String)
    }

    /// Checks `key` (the `Authorization: Bearer` or `X-API-Key` value), looking the user up with
    /// `lookup` when it is not cached.
    func authenticate(_ key: String, lookup: @Sendable (String) async throws -> StoredUser?) async throws -> Outcome {
        guard let (keyID, secret) = APIKey.parse(key) else {
            return .refused("the API key is malformed; keys look like csk_<16 hex digits>_<secret>")
        }
        let now = Date()
        var user = cache.withLockedValue { $0[keyID] }.flatMap { now.timeIntervalSince($0.fetched) < cacheSeconds ? $0.user : nil }
        if user == nil {
            user = try await lookup(keyID)
            if let user { cache.withLockedValue { $0[keyID] = Entry(user: user, fetched: now) } }
        }
        guard let user, APIKey.verify(secret: secret, of: user) else { return .refused("the API key is not valid") }
        guard user.isActive else { return .refused("user \(user.username) is deactivated") }
        return .caller(Caller(username: user.username, role: user.role, keyID: keyID))
    }
}

/// Requests per key per minute, as a token bucket: `limit` requests at once, refilled at
/// `limit` per minute. In memory, per server process.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    let limit: Int
    private let buckets = NIOLockedValueBox<[String: Bucket]>([:])

    init(perMinute limit: Int) {
        self.limit = limit
    }

    /// nil when the request may proceed; otherwise the seconds until it may be retried.
    func retryAfter(key: String, now: Date = Date()) -> Int? {
        guard limit > 0 else { return nil }
        let rate = Double(limit) / 60
        return buckets.withLockedValue { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: Double(limit), updated: now)
            bucket.tokens = min(Double(limit), bucket.tokens + now.timeIntervalSince(bucket.updated) * rate)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }
}
