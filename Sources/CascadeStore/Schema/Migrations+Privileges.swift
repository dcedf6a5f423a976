extension Migration {
    /// PostgreSQL only: `cascade_app` (the HTTP API's role) gets only what the API needs. It may
    /// read `schema_migrations` but not write it; it may append to `audit_log` and read it, never
    /// change or delete an entry; it may read `users` but add one only through
    /// `cascade_add_user`, a `SECURITY DEFINER` function that checks the caller (`cascade.user`)
    /// is an active admin — so a connection acting as `cascade_app` cannot promote itself, erase
    /// its traces or fake the schema's state. Changing or deactivating users stays with the
    /// store's owner (`cascade user …`). Before this, `cascade_app` had every table.
    ///
    /// A server that should not be able to undo this with `RESET ROLE` logs in as a role that is
    /// only a member of `cascade_app` (see the README, "A login role for the server").
    static let applicationRolePrivileges = Migration(
        id: 7, name: "restrict_application_role",
        sqlite: """
        -- PostgreSQL only: SQLite has no roles; the file's permissions are its access control.
        """,
        postgresql: """
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM \(applicationRole);
        REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM \(applicationRole);
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON users FROM \(applicationRole);

        CREATE FUNCTION cascade_add_user(p_id UUID, p_username TEXT, p_role TEXT, p_key_id TEXT,
                                         p_key_salt TEXT, p_key_hash TEXT, p_created_at TIMESTAMPTZ)
        RETURNS VOID LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
        BEGIN
          IF NOT cascade_user_is_admin() THEN
            RAISE EXCEPTION 'only an active admin may add users' USING ERRCODE = 'insufficient_privilege';
          END IF;
          INSERT INTO users (id, username, role, key_id, key_salt, key_hash, is_active, created_at)
          VALUES (p_id, p_username, p_role, p_key_id, p_key_salt, p_key_hash, TRUE, p_created_at);
        END $$;
        REVOKE ALL ON FUNCTION cascade_add_user(UUID, TEXT, TEXT, TEXT, TEXT, TEXT, TIMESTAMPTZ) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION cascade_add_user(UUID, TEXT, TEXT, TEXT, TEXT, TEXT, TIMESTAMPTZ) TO \(applicationRole);
        """
    )
}
