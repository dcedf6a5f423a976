import CascadeStore

extension ScenarioService {
    /// A world for a run, where it came from, and — when it was read from the store at one world
    /// version throughout — the snapshot to write once its digest is known.
    struct LoadedWorld {
        var world: EngineWorld
        /// `"snapshot"` or `"store"`: the run's `stats.world`.
        var source: String
        var pending: (path: String, key: String)?
    }

    /// The world from its snapshot when one matches the store's world version, else from the
    /// store (a missing, foreign, stale or damaged snapshot is then replaced after the run is
    /// prepared, see `keepSnapshot`).
    func loadWorld() throws -> LoadedWorld {
        guard let path = snapshots.path(for: store.location) else {
            return LoadedWorld(world: try EngineWorld.load(from: store), source: "store", pending: nil)
        }
        let key = try store.worldVersion()
        if let contents = try? WorldSnapshotFile.read(path: path, key: key) {
            return LoadedWorld(world: contents.world, source: "snapshot", pending: nil)
        }
        let world = try EngineWorld.load(from: store)
        // A write while the tables were read: the world may be neither version, so it is not kept.
        let unchanged = try store.worldVersion() == key
        return LoadedWorld(world: world, source: "store", pending: unchanged ? (path, key) : nil)
    }

    /// Writes the snapshot of a world read from the store, with the digest of its entities and
    /// relationships and the edges laid out (`PreparedGraph`) from a run prepared on it. Best effort: a run never fails for its snapshot.
    func keepSnapshot(of loaded: LoadedWorld, prepared: PreparedScenario) {
        guard let pending = loaded.pending, let columns = loaded.world.columns else { return }
        let parts = WorldSnapshotFile.encodedParts(columns: columns, coefficients: loaded.world.coefficients,
                                                   formulas: loaded.world.formulas, macroData: loaded.world.macroData,
                                                   entityFacts: prepared.run.entityFacts,
                                                   preparedGraph: PreparedGraph(prepared.run), key: pending.key,
                                                   worldDigest: prepared.run.worldDigest)
        WorldSnapshotFile.write(parts, to: pending.path)
    }
}
