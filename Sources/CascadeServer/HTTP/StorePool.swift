import CascadeStore
import Foundation
import NIOConcurrencyHelpers
import NIOPosix

/// Store connections for the server's requests, used on a thread pool of the same size: the
/// stores (SQLite, libpq) block, so they never run on the event loops or Swift's cooperative pool.
///
/// On PostgreSQL each connection switches to the role that row-level security applies to, and
/// every transaction names the caller (`cascade.user`).
final class StorePool: @unchecked Sendable {
    let location: StoreLocation
    private let threads: NIOThreadPool
    private let idle = NIOLockedValueBox<[Store]>([])

    init(location: StoreLocation, size: Int) {
        self.location = location
        threads = NIOThreadPool(numberOfThreads: size)
        threads.start()
    }

    /// Runs `body` with a store acting as `caller` (audit actor and row-security user), on the pool.
    func withStore<T: Sendable>(as caller: Caller?, _ body: @escaping @Sendable (Store) throws -> T) async throws -> T {
        try await threads.runIfActive { [self] in
            let store = try checkOut()
            store.actor = caller?.username ?? "anonymous"
            store.rowSecurityUser = caller?.username ?? ""
            do {
                let value = try body(store)
                checkIn(store)
                return value
            } catch let error as StoreError where error.kind == .connection {
                throw error  // drop a broken connection
            } catch {
                checkIn(store)
                throw error
            }
        }
    }

    private func checkOut() throws -> Store {
        if let store = idle.withLockedValue({ $0.popLast() }) { return store }
        let store = try Store(location)
        try store.useApplicationRole()
        return store
    }

    private func checkIn(_ store: Store) {
        idle.withLockedValue { $0.append(store) }
    }

    func shutdown() async {
        try? await threads.shutdownGracefully()
        idle.withLockedValue { $0.removeAll() }
    }
}
