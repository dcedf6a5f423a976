import CascadeStore

extension ScenarioService {
    /// A world for a run, where it came from, and — when it was read from the store at one world
    /// version throughout — that version and the snapshot to write once its digest is known.
    struct LoadedWorld {
        var world: EngineWorld
        /// `"snapshot"` or `"store"`: the run's `stats.world`.
        var source: String
        var pending: (path: String, key: String)?
        /// The world version the world was read from the store at (nil when it changed meanwhile,
        /// or the world came from a snapshot): where a digest computed from it is recorded.
        var version: String? = nil
    }

    /// The world from its snapshot when one matches the store's world version, else from the
    /// store (a missing, foreign, stale or damaged snapshot is then replaced after the run is
    /// prepared, see `keepSnapshot`) with the world digest recorded at that version, if any.
    func loadWorld() throws -> LoadedWorld {
        let path = snapshots.path(for: store.location)
        let key = try store.worldVersion()
        if let path, var contents = try? WorldSnapshotFile.read(path: path, key: key) {
            contents.world.worldDigestSource = "snapshot"
            return LoadedWorld(world: contents.world, source: "snapshot", pending: nil)
        }
        var world = try EngineWorld.load(from: store)
        // A write while the tables were read: the world may be neither version, so neither a
        // snapshot nor a digest is kept for it, and the recorded digest is not used.
        guard try store.worldVersion() == key else { return LoadedWorld(world: world, source: "store", pending: nil) }
        if let digest = try store.recordedWorldDigest(at: key) {
            world.worldDigest = digest
            world.worldDigestSource = "store"
        }
        return LoadedWorld(world: world, source: "store", pending: path.map { ($0, key) }, version: key)
    }

    /// Writes the snapshot of a world read from the store, with the digest of its entities and
    /// relationships and the edges laid out (`PreparedGraph`) from a run prepared on it. Best effort: a run never fails for its snapshot.
    /// A digest the run computed is recorded in the store at the version the world was read at
    /// (if it still is the store's), so that the next run without a snapshot does not hash.
    func keepSnapshot(of loaded: LoadedWorld, prepared: PreparedScenario) {
        if let version = loaded.version, let digest = prepared.run.hashedWorldDigest {
            store.recordWorldDigest(digest, at: version)
        }
        guard let pending = loaded.pending, let columns = loaded.world.columns else { return }
        let parts = WorldSnapshotFile.encodedParts(columns: columns, coefficients: loaded.world.coefficients,
                                                   formulas: loaded.world.formulas, macroData: loaded.world.macroData,
                                                   entityFacts: prepared.run.entityFacts,
                                                   preparedGraph: PreparedGraph(prepared.run), key: pending.key,
                                                   worldDigest: prepared.run.worldDigest)
        WorldSnapshotFile.write(parts, to: pending.path)
    }
}
