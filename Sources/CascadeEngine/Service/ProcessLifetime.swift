import Synchronization

/// Values a one-shot process keeps until it exits instead of freeing them. `cascade run` at 1 M
/// entities spent about a second of CPU tearing down the run's world, prepared graph and result
/// (`PreparedRun` and `ResultTable` deinit, `malloc_consolidate`, `munmap`) right before its
/// exit hands the memory back anyway. Only a process that exits after one run keeps anything
/// (`ScenarioService.keepsRunsUntilExit`); a server or worker never does.
package enum ProcessLifetime {
    private final class Kept: @unchecked Sendable {
        var values: [Any] = []
    }

    private static let kept = Kept()
    private static let lock = Mutex(())

    /// Keeps `value` alive until the process exits.
    package static func keep(_ value: Any) {
        lock.withLock { _ in kept.values.append(value) }
    }

    /// How many values are kept.
    package static var count: Int {
        lock.withLock { _ in kept.values.count }
    }
}
