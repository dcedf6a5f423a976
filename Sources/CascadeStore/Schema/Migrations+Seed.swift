extension Migration {
    /// Every migration this binary knows, in order. Append only: never edit a shipped one.
    package static let all: [Migration] = [seedTables, logs, seedFunctions, scenarioResults, accessAndQueue, runLogAbandoned,
                                          applicationRolePrivileges, whatIfSessions, backtestColumns, resultParts,
                                          jobSensitivities,
                                          drawChunks,
                                          worldDigest,
                                          resultPartBytes,
                                          resultWorlds]

    private static let entityTypes = SeedVocabulary.sqlList(SeedVocabulary.entityTypes)
    private static let relationshipTypes = SeedVocabulary.sqlList(SeedVocabulary.relationshipTypes)

    /// The seed's tables (entities, relationships, sector_coefficients, formulas, scenarios,
    /// macro_data, financial_data) with its indexes. Deliberate differences from the seed:
    /// `external_id` keeps the world file's own ids; numeric values are double precision so both
    /// backends return bit-identical numbers; dates are real dates.
    static let seedTables = Migration(
        id: 1, name: "create_seed_tables",
        sqlite: """
        CREATE TABLE entities (
          id TEXT PRIMARY KEY NOT NULL,
          external_id TEXT NOT NULL UNIQUE,
          type TEXT NOT NULL CHECK (type IN (\(entityTypes))),
          name TEXT NOT NULL CHECK (length(name) <= 255),
          description TEXT,
          category TEXT CHECK (length(category) <= 50),
          ontology_level INTEGER CHECK (ontology_level BETWEEN 0 AND 9),
          metadata TEXT CHECK (metadata IS NULL OR json_valid(metadata)),
          created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
          updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX idx_entities_type ON entities(type);
        CREATE INDEX idx_entities_category ON entities(category);
        CREATE INDEX idx_entities_level ON entities(ontology_level);

        CREATE TABLE relationships (
          id TEXT PRIMARY KEY NOT NULL,
          external_id TEXT NOT NULL UNIQUE,
          source_entity_id TEXT REFERENCES entities(id) ON DELETE CASCADE,
          target_entity_id TEXT REFERENCES entities(id) ON DELETE CASCADE,
          type TEXT NOT NULL CHECK (type IN (\(relationshipTypes))),
          weight REAL CHECK (weight IS NULL OR (weight >= 0 AND weight <= 1)),
          impact_formula TEXT,
          metadata TEXT CHECK (metadata IS NULL OR json_valid(metadata)),
          created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
          updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX idx_relationships_source ON relationships(source_entity_id);
        CREATE INDEX idx_relationships_target ON relationships(target_entity_id);
        CREATE INDEX idx_relationships_type ON relationships(type);

        CREATE TABLE sector_coefficients (
          id TEXT PRIMARY KEY NOT NULL,
          sector TEXT NOT NULL,
          coefficient_type TEXT NOT NULL,
          value REAL NOT NULL,
          effective_date TEXT NOT NULL CHECK (effective_date IS date(effective_date)),
          calibrated_from TEXT CHECK (calibrated_from IS date(calibrated_from)),
          calibrated_to TEXT CHECK (calibrated_to IS date(calibrated_to)),
          r_squared REAL,
          data_source TEXT,
          notes TEXT,
          is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
          created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
          updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX idx_sector_coeff_sector ON sector_coefficients(sector);
        CREATE INDEX idx_sector_coeff_type ON sector_coefficients(coefficient_type);
        CREATE INDEX idx_sector_coeff_active ON sector_coefficients(is_active);

        CREATE TABLE formulas (
          id TEXT PRIMARY KEY NOT NULL,
          name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
          version INTEGER NOT NULL CHECK (version >= 1),
          formula_type TEXT,
          formula_text TEXT NOT NULL,
          parameters TEXT CHECK (parameters IS NULL OR json_valid(parameters)),
          effective_date TEXT NOT NULL CHECK (effective_date IS date(effective_date)),
          r_squared REAL,
          mae REAL,
          rmse REAL,
          description TEXT,
          test_cases TEXT CHECK (test_cases IS NULL OR json_valid(test_cases)),
          is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
          created_by TEXT,
          content_hash TEXT NOT NULL,
          created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
          UNIQUE (name, version)
        );
        CREATE INDEX idx_formulas_name ON formulas(name);
        CREATE INDEX idx_formulas_active ON formulas(is_active);
        CREATE INDEX idx_formulas_hash ON formulas(name, content_hash);
        CREATE TRIGGER formulas_immutable BEFORE UPDATE OF
          id, name, version, formula_type, formula_text, parameters, effective_date, r_squared, mae,
          rmse, description, test_cases, created_by, content_hash, created_at ON formulas
        BEGIN SELECT RAISE(ABORT, 'formula versions are immutable; register a new version'); END;
        CREATE TRIGGER formulas_append_only BEFORE DELETE ON formulas
        BEGIN SELECT RAISE(ABORT, 'formula versions are never deleted; deactivate instead'); END;

        CREATE TABLE scenarios (
          id TEXT PRIMARY KEY NOT NULL,
          name TEXT NOT NULL,
          description TEXT,
          author TEXT NOT NULL,
          macro_variables TEXT NOT NULL CHECK (json_valid(macro_variables)),
          level_settings TEXT CHECK (level_settings IS NULL OR json_valid(level_settings)),
          simulation_results TEXT CHECK (simulation_results IS NULL OR json_valid(simulation_results)),
          is_public INTEGER NOT NULL DEFAULT 0 CHECK (is_public IN (0, 1)),
          upvotes INTEGER NOT NULL DEFAULT 0,
          downvotes INTEGER NOT NULL DEFAULT 0,
          views INTEGER NOT NULL DEFAULT 0,
          created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
          updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX idx_scenarios_author ON scenarios(author);
        CREATE INDEX idx_scenarios_public ON scenarios(is_public);

        CREATE TABLE macro_data (
          date TEXT NOT NULL CHECK (date IS date(date)),
          variable_name TEXT NOT NULL,
          value REAL,
          unit TEXT,
          data_source TEXT,
          PRIMARY KEY (date, variable_name)
        );
        CREATE INDEX idx_macro_variable ON macro_data(variable_name, date DESC);

        CREATE TABLE financial_data (
          id TEXT NOT NULL UNIQUE,
          entity_id TEXT NOT NULL REFERENCES entities(id),
          date TEXT NOT NULL CHECK (date IS date(date)),
          revenue REAL, net_income REAL, ebitda REAL, operating_income REAL,
          total_assets REAL, total_debt REAL, equity REAL,
          operating_cash_flow REAL, free_cash_flow REAL, capex REAL,
          market_cap REAL, share_price REAL,
          data_source TEXT,
          PRIMARY KEY (entity_id, date)
        );
        CREATE INDEX idx_financial_entity_date ON financial_data(entity_id, date DESC);
        """,
        postgresql: """
        CREATE TABLE entities (
          id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
          external_id TEXT NOT NULL UNIQUE,
          type VARCHAR(50) NOT NULL,
          name VARCHAR(255) NOT NULL,
          description TEXT,
          category VARCHAR(50),
          ontology_level INTEGER CHECK (ontology_level BETWEEN 0 AND 9),
          metadata JSONB,
          created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
          updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
          CONSTRAINT entities_type_check CHECK (type IN (\(entityTypes)))
        );
        CREATE INDEX idx_entities_type ON entities(type);
        CREATE INDEX idx_entities_category ON entities(category);
        CREATE INDEX idx_entities_level ON entities(ontology_level);
        CREATE INDEX idx_entities_metadata ON entities USING GIN (metadata);

        CREATE TABLE relationships (
          id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
          external_id TEXT NOT NULL UNIQUE,
          source_entity_id UUID REFERENCES entities(id) ON DELETE CASCADE,
          target_entity_id UUID REFERENCES entities(id) ON DELETE CASCADE,
          type VARCHAR(50) NOT NULL,
          weight DOUBLE PRECISION CHECK (weight IS NULL OR (weight >= 0 AND weight <= 1)),
          impact_formula TEXT,
          metadata JSONB,
          created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
          updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
          CONSTRAINT relationships_type_check CHECK (type IN (\(relationshipTypes)))
        );
        CREATE INDEX idx_relationships_source ON relationships(source_entity_id);
        CREATE INDEX idx_relationships_target ON relationships(target_entity_id);
        CREATE INDEX idx_relationships_type ON relationships(type);
        CREATE INDEX idx_relationships_metadata ON relationships USING GIN (metadata);

        CREATE TABLE sector_coefficients (
          id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
          sector VARCHAR(50) NOT NULL,
          coefficient_type VARCHAR(50) NOT NULL,
          value DOUBLE PRECISION NOT NULL,
          effective_date DATE NOT NULL,
          calibrated_from DATE,
          calibrated_to DATE,
          r_squared DOUBLE PRECISION,
          data_source VARCHAR(100),
          notes TEXT,
          is_active BOOLEAN NOT NULL DEFAULT TRUE,
          created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
          updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
        );
        CREATE INDEX idx_sector_coeff_sector ON sector_coefficients(sector);
        CREATE INDEX idx_sector_coeff_type ON sector_coefficients(coefficient_type);
        CREATE INDEX idx_sector_coeff_active ON sector_coefficients(is_active);

        CREATE TABLE formulas (
          id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
          name VARCHAR(255) NOT NULL CHECK (length(name) >= 1),
          version INTEGER NOT NULL CHECK (version >= 1),
          formula_type VARCHAR(50),
          formula_text TEXT NOT NULL,
          parameters JSONB,
          effective_date DATE NOT NULL,
          r_squared DOUBLE PRECISION,
          mae DOUBLE PRECISION,
          rmse DOUBLE PRECISION,
          description TEXT,
          test_cases JSONB,
          is_active BOOLEAN NOT NULL DEFAULT TRUE,
          created_by VARCHAR(100),
          content_hash TEXT NOT NULL,
          created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
          UNIQUE (name, version)
        );
        CREATE INDEX idx_formulas_name ON formulas(name);
        CREATE INDEX idx_formulas_active ON formulas(is_active);
        CREATE INDEX idx_formulas_hash ON formulas(name, content_hash);
        CREATE FUNCTION formulas_guard() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'formula versions are never deleted; deactivate instead';
          END IF;
          IF (NEW.id, NEW.name, NEW.version, NEW.formula_type, NEW.formula_text, NEW.parameters,
              NEW.effective_date, NEW.r_squared, NEW.mae, NEW.rmse, NEW.description, NEW.test_cases,
              NEW.created_by, NEW.content_hash, NEW.created_at)
             IS DISTINCT FROM
             (OLD.id, OLD.name, OLD.version, OLD.formula_type, OLD.formula_text, OLD.parameters,
              OLD.effective_date, OLD.r_squared, OLD.mae, OLD.rmse, OLD.description, OLD.test_cases,
              OLD.created_by, OLD.content_hash, OLD.created_at) THEN
            RAISE EXCEPTION 'formula versions are immutable; register a new version';
          END IF;
          RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER formulas_immutable BEFORE UPDATE OR DELETE ON formulas
          FOR EACH ROW EXECUTE FUNCTION formulas_guard();

        CREATE TABLE scenarios (
          id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
          name VARCHAR(255) NOT NULL,
          description TEXT,
          author VARCHAR(100) NOT NULL,
          macro_variables JSONB NOT NULL,
          level_settings JSONB,
          simulation_results JSONB,
          is_public BOOLEAN NOT NULL DEFAULT FALSE,
          upvotes INTEGER NOT NULL DEFAULT 0,
          downvotes INTEGER NOT NULL DEFAULT 0,
          views INTEGER NOT NULL DEFAULT 0,
          created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
          updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
        );
        CREATE INDEX idx_scenarios_author ON scenarios(author);
        CREATE INDEX idx_scenarios_public ON scenarios(is_public);

        CREATE TABLE macro_data (
          date DATE NOT NULL,
          variable_name VARCHAR(100) NOT NULL,
          value DOUBLE PRECISION,
          unit VARCHAR(20),
          data_source VARCHAR(100),
          PRIMARY KEY (date, variable_name)
        );
        CREATE INDEX idx_macro_variable ON macro_data(variable_name, date DESC);

        CREATE TABLE financial_data (
          id UUID NOT NULL UNIQUE DEFAULT gen_random_uuid(),
          entity_id UUID NOT NULL REFERENCES entities(id),
          date DATE NOT NULL,
          revenue DOUBLE PRECISION, net_income DOUBLE PRECISION, ebitda DOUBLE PRECISION,
          operating_income DOUBLE PRECISION, total_assets DOUBLE PRECISION,
          total_debt DOUBLE PRECISION, equity DOUBLE PRECISION,
          operating_cash_flow DOUBLE PRECISION, free_cash_flow DOUBLE PRECISION,
          capex DOUBLE PRECISION, market_cap DOUBLE PRECISION, share_price DOUBLE PRECISION,
          data_source VARCHAR(100),
          PRIMARY KEY (entity_id, date)
        );
        CREATE INDEX idx_financial_entity_date ON financial_data(entity_id, date DESC);
        """
    )

    /// The audit log (every registry and coefficient write) and the run log (the seed's
    /// `calculation_audit_log`).
    static let logs = Migration(
        id: 2, name: "create_audit_and_run_logs",
        sqlite: """
        CREATE TABLE audit_log (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          occurred_at TEXT NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          table_name TEXT NOT NULL,
          row_id TEXT,
          before TEXT CHECK (before IS NULL OR json_valid(before)),
          after TEXT CHECK (after IS NULL OR json_valid(after))
        );
        CREATE INDEX idx_audit_table_row ON audit_log(table_name, row_id);
        CREATE INDEX idx_audit_occurred ON audit_log(occurred_at);

        CREATE TABLE run_log (
          id TEXT PRIMARY KEY NOT NULL,
          scenario_id TEXT,
          started_at TEXT NOT NULL,
          finished_at TEXT,
          status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
          counts TEXT CHECK (counts IS NULL OR json_valid(counts)),
          inputs TEXT CHECK (inputs IS NULL OR json_valid(inputs)),
          error TEXT
        );
        CREATE INDEX idx_run_log_started ON run_log(started_at);
        """,
        postgresql: """
        CREATE TABLE audit_log (
          id BIGSERIAL PRIMARY KEY,
          occurred_at TIMESTAMPTZ NOT NULL,
          actor VARCHAR(100) NOT NULL,
          action VARCHAR(50) NOT NULL,
          table_name VARCHAR(50) NOT NULL,
          row_id TEXT,
          before JSONB,
          after JSONB
        );
        CREATE INDEX idx_audit_table_row ON audit_log(table_name, row_id);
        CREATE INDEX idx_audit_occurred ON audit_log(occurred_at);

        CREATE TABLE run_log (
          id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
          scenario_id UUID,
          started_at TIMESTAMPTZ NOT NULL,
          finished_at TIMESTAMPTZ,
          status VARCHAR(20) NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
          counts JSONB,
          inputs JSONB,
          error TEXT
        );
        CREATE INDEX idx_run_log_started ON run_log(started_at);
        """
    )

    /// The seed's two functions. SQLite has no stored functions; `Store.activeFormula(named:asOf:)`
    /// and `Store.entityGraph(of:)` run the same queries on both backends.
    static let seedFunctions = Migration(
        id: 3, name: "create_seed_functions",
        sqlite: "SELECT 1;",
        postgresql: """
        CREATE FUNCTION get_entity_graph(entity_id_param UUID)
        RETURNS TABLE (entity_name VARCHAR, relationship_type VARCHAR, connected_entity VARCHAR,
                       weight DOUBLE PRECISION) AS $$
        BEGIN
          RETURN QUERY
          SELECT e1.name, r.type, e2.name, r.weight
          FROM relationships r
          JOIN entities e1 ON r.source_entity_id = e1.id
          JOIN entities e2 ON r.target_entity_id = e2.id
          WHERE r.source_entity_id = entity_id_param OR r.target_entity_id = entity_id_param;
        END;
        $$ LANGUAGE plpgsql STABLE;

        CREATE FUNCTION get_active_formula(formula_name_param VARCHAR, as_of DATE DEFAULT CURRENT_DATE)
        RETURNS TABLE (version INTEGER, formula_text TEXT, parameters JSONB) AS $$
        BEGIN
          RETURN QUERY
          SELECT f.version, f.formula_text, f.parameters
          FROM formulas f
          WHERE f.name = formula_name_param AND f.is_active = TRUE AND f.effective_date <= as_of
          ORDER BY f.version DESC
          LIMIT 1;
        END;
        $$ LANGUAGE plpgsql STABLE;
        """
    )
}
