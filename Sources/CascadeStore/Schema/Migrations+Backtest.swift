extension Migration {
    /// A version's fit as Cascade measured it: `cascade formula backtest --store` (and a document's
    /// own `backtest` at registration) writes r², MAE and RMSE into the seed's columns, with the
    /// spec that produced them, the fingerprint of the history rows it read, and when. Those
    /// columns may now change after registration (a re-measurement on new history); the text,
    /// parameters and everything else that identifies a version stay immutable.
    ///
    /// `ab_tests` (after the model-versioning seed's table of that name) records champion/challenger
    /// comparisons of two versions of one formula on one backtest, and their outcome.
    static let backtestColumns = Migration(
        id: 9, name: "formula_backtests",
        sqlite: """
        ALTER TABLE formulas ADD COLUMN backtest_spec TEXT CHECK (backtest_spec IS NULL OR json_valid(backtest_spec));
        ALTER TABLE formulas ADD COLUMN backtest_fingerprint TEXT;
        ALTER TABLE formulas ADD COLUMN backtested_at TEXT;
        DROP TRIGGER formulas_immutable;
        CREATE TRIGGER formulas_immutable BEFORE UPDATE OF
          id, name, version, formula_type, formula_text, parameters, effective_date,
          description, test_cases, created_by, content_hash, created_at ON formulas
        BEGIN SELECT RAISE(ABORT, 'formula versions are immutable; register a new version'); END;

        CREATE TABLE ab_tests (
          id TEXT PRIMARY KEY NOT NULL,
          name TEXT NOT NULL,
          formula_name TEXT NOT NULL,
          control_version INTEGER NOT NULL,
          treatment_version INTEGER NOT NULL,
          metric TEXT NOT NULL CHECK (metric IN ('rmse', 'mae', 'r2')),
          min_improvement REAL NOT NULL,
          control_metrics TEXT NOT NULL CHECK (json_valid(control_metrics)),
          treatment_metrics TEXT NOT NULL CHECK (json_valid(treatment_metrics)),
          improvement REAL,
          status TEXT NOT NULL CHECK (status IN ('running', 'promoted', 'rejected', 'rollback')),
          conclusion TEXT,
          created_by TEXT NOT NULL,
          created_at TEXT NOT NULL,
          concluded_at TEXT
        );
        CREATE INDEX idx_ab_tests_formula ON ab_tests(formula_name, created_at);
        """,
        postgresql: """
        ALTER TABLE formulas ADD COLUMN backtest_spec JSONB;
        ALTER TABLE formulas ADD COLUMN backtest_fingerprint TEXT;
        ALTER TABLE formulas ADD COLUMN backtested_at TIMESTAMPTZ;
        CREATE OR REPLACE FUNCTION formulas_guard() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'formula versions are never deleted; deactivate instead';
          END IF;
          IF (NEW.id, NEW.name, NEW.version, NEW.formula_type, NEW.formula_text, NEW.parameters,
              NEW.effective_date, NEW.description, NEW.test_cases,
              NEW.created_by, NEW.content_hash, NEW.created_at)
             IS DISTINCT FROM
             (OLD.id, OLD.name, OLD.version, OLD.formula_type, OLD.formula_text, OLD.parameters,
              OLD.effective_date, OLD.description, OLD.test_cases,
              OLD.created_by, OLD.content_hash, OLD.created_at) THEN
            RAISE EXCEPTION 'formula versions are immutable; register a new version';
          END IF;
          RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;

        CREATE TABLE ab_tests (
          id UUID PRIMARY KEY,
          name TEXT NOT NULL,
          formula_name VARCHAR(255) NOT NULL,
          control_version INTEGER NOT NULL,
          treatment_version INTEGER NOT NULL,
          metric TEXT NOT NULL CHECK (metric IN ('rmse', 'mae', 'r2')),
          min_improvement DOUBLE PRECISION NOT NULL,
          control_metrics JSONB NOT NULL,
          treatment_metrics JSONB NOT NULL,
          improvement DOUBLE PRECISION,
          status TEXT NOT NULL CHECK (status IN ('running', 'promoted', 'rejected', 'rollback')),
          conclusion TEXT,
          created_by TEXT NOT NULL,
          created_at TIMESTAMPTZ NOT NULL,
          concluded_at TIMESTAMPTZ
        );
        CREATE INDEX idx_ab_tests_formula ON ab_tests(formula_name, created_at);
        DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(applicationRole)') THEN
            GRANT SELECT, INSERT, UPDATE ON ab_tests TO \(applicationRole);
          END IF;
        END $$;
        """
    )
}
