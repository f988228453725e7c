/// The database schema, as numbered migrations; both backends get the same tables and columns.
///
/// Times are stored as microseconds since the Unix epoch (`BIGINT`), resource bodies as JSON text.
/// Never edit a released migration: append a new one.
package enum Schema {
    package static let migrations: [Migration] = [
        Migration(version: 1, name: "resources", sqlite: resources, postgresql: resources),
        Migration(
            version: 2,
            name: "spans",
            sqlite: [
                """
                CREATE TABLE otlp_span_batches (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    trace_id TEXT NOT NULL,
                    received_at BIGINT NOT NULL,
                    span_count INTEGER NOT NULL,
                    spans BLOB NOT NULL
                )
                """,
                "CREATE INDEX otlp_span_batches_by_trace ON otlp_span_batches (trace_id, id)",
            ],
            postgresql: [
                """
                CREATE TABLE otlp_span_batches (
                    id BIGSERIAL PRIMARY KEY,
                    trace_id TEXT NOT NULL,
                    received_at BIGINT NOT NULL,
                    span_count INTEGER NOT NULL,
                    spans BYTEA NOT NULL
                )
                """,
                "CREATE INDEX otlp_span_batches_by_trace ON otlp_span_batches (trace_id, id)",
            ]
        ),
        Migration(
            version: 3,
            name: "runs",
            sqlite: runs(autoIncrement: "INTEGER PRIMARY KEY AUTOINCREMENT", bytes: "BLOB"),
            postgresql: runs(autoIncrement: "BIGSERIAL PRIMARY KEY", bytes: "BYTEA")
        ),
        Migration(version: 4, name: "one latest version", sqlite: oneLatest, postgresql: oneLatest),
        Migration(
            version: 5, name: "run details", sqlite: runDetails,
            // Big texts compress about tenfold with lz4, which reads back as fast as uncompressed text (where the
            // server is older than 14 or has no lz4, they keep the default).
            postgresql: runDetails + [
                """
                DO $$ BEGIN
                    IF current_setting('server_version_num')::int >= 140000 THEN
                        EXECUTE 'ALTER TABLE test_run_details ALTER COLUMN result SET COMPRESSION lz4, '
                            || 'ALTER COLUMN linter SET COMPRESSION lz4, ALTER COLUMN junit SET COMPRESSION lz4, '
                            || 'ALTER COLUMN trace SET COMPRESSION lz4';
                    END IF;
                EXCEPTION WHEN feature_not_supported THEN NULL;
                END $$
                """
            ]),
        Migration(version: 6, name: "run leases", sqlite: runLeases, postgresql: runLeases),
        Migration(version: 7, name: "run queue", statements: runQueue),
        Migration(
            version: 8, name: "runs by trace id",
            statements: ["CREATE INDEX test_runs_by_trace ON test_runs (trace_id, created_at)"]),
        // Arrival rows live only until their run saved the trace; compressing them cost PostgreSQL more CPU than
        // receiving the spans did.
        Migration(
            version: 9, name: "uncompressed arrival rows", sqlite: [],
            postgresql: ["ALTER TABLE otlp_span_batches ALTER COLUMN spans SET STORAGE EXTERNAL"]),
    ]

    /// Which server executes each unfinished run, until when (Unix milliseconds): renewed while the server works on
    /// it, taken over by another once it has expired.
    private static let runLeases = [
        """
        CREATE TABLE run_leases (
            test_id TEXT NOT NULL,
            run_id INTEGER NOT NULL,
            owner TEXT NOT NULL,
            expires_at BIGINT NOT NULL,
            PRIMARY KEY (test_id, run_id)
        )
        """,
        "CREATE INDEX run_leases_owner ON run_leases (owner)",
    ]

    /// Every unfinished run has a lease row from its creation on (the run queue): those stored before get one that
    /// any server may take.
    private static let runQueue = [
        """
        INSERT INTO run_leases (test_id, run_id, owner, expires_at)
        SELECT test_id, id, '', 0 FROM test_runs
        WHERE state IN ('CREATED', 'EXECUTING', 'AWAITING_TRACE', 'ANALYZING_TRACE', 'AWAITING_TEST_RESULTS')
        ON CONFLICT (test_id, run_id) DO NOTHING
        """
    ]

    /// A run's heavy parts, kept apart from its row so that run lists read none of them: the assertion results with
    /// every span result, the analyzer's result, the JUnit report and the trace, as the text the API sends.
    private static let runDetails = [
        """
        CREATE TABLE test_run_details (
            test_id TEXT NOT NULL,
            run_id INTEGER NOT NULL,
            result TEXT,
            linter TEXT,
            junit TEXT,
            trace TEXT,
            PRIMARY KEY (test_id, run_id)
        )
        """
    ]

    /// At most one row per id of `tests` and `test_suites` is the latest version (a save clears the flag of the old
    /// row before inserting the new one, so this holds after every statement).
    private static let oneLatest = [
        "CREATE UNIQUE INDEX tests_one_latest ON tests (id) WHERE is_latest",
        "CREATE UNIQUE INDEX test_suites_one_latest ON test_suites (id) WHERE is_latest",
    ]

    /// Run state and trace id as columns (for recovery and lookups), the final trace of each run, and the events.
    private static func runs(autoIncrement: String, bytes: String) -> [String] {
        [
            "ALTER TABLE test_runs ADD COLUMN trace_id TEXT NOT NULL DEFAULT ''",
            "CREATE INDEX test_runs_by_state ON test_runs (state)",
            "CREATE INDEX test_suite_runs_by_state ON test_suite_runs (state)",
            """
            CREATE TABLE test_run_traces (
                test_id TEXT NOT NULL,
                run_id INTEGER NOT NULL,
                spans \(bytes) NOT NULL,
                PRIMARY KEY (test_id, run_id)
            )
            """,
            """
            CREATE TABLE test_run_events (
                id \(autoIncrement),
                test_id TEXT NOT NULL,
                run_id INTEGER NOT NULL,
                created_at BIGINT NOT NULL,
                document TEXT NOT NULL
            )
            """,
            "CREATE INDEX test_run_events_by_run ON test_run_events (test_id, run_id, id)",
        ]
    }

    private static let resources: [String] =
        [
            """
            CREATE TABLE server (
                id TEXT PRIMARY KEY,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE tests (
                id TEXT NOT NULL,
                version INTEGER NOT NULL,
                name TEXT NOT NULL,
                description TEXT NOT NULL,
                service_under_test TEXT NOT NULL,
                specs TEXT NOT NULL,
                outputs TEXT NOT NULL,
                skip_trace_collection BOOLEAN NOT NULL,
                created_at BIGINT NOT NULL,
                is_latest BOOLEAN NOT NULL,
                PRIMARY KEY (id, version)
            )
            """,
            "CREATE INDEX tests_latest_by_created ON tests (created_at, id) WHERE is_latest",
            "CREATE INDEX tests_latest_by_name ON tests (name, id) WHERE is_latest",
            """
            CREATE TABLE test_runs (
                id INTEGER NOT NULL,
                test_id TEXT NOT NULL,
                test_version INTEGER NOT NULL,
                created_at BIGINT NOT NULL,
                state TEXT NOT NULL,
                pass INTEGER NOT NULL DEFAULT 0,
                fail INTEGER NOT NULL DEFAULT 0,
                document TEXT NOT NULL DEFAULT '{}',
                PRIMARY KEY (test_id, id)
            )
            """,
            "CREATE INDEX test_runs_by_test_created ON test_runs (test_id, created_at)",
            """
            CREATE TABLE test_run_sequences (
                test_id TEXT PRIMARY KEY,
                last_id INTEGER NOT NULL
            )
            """,
            """
            CREATE TABLE test_suites (
                id TEXT NOT NULL,
                version INTEGER NOT NULL,
                name TEXT NOT NULL,
                description TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                is_latest BOOLEAN NOT NULL,
                PRIMARY KEY (id, version)
            )
            """,
            "CREATE INDEX test_suites_latest_by_created ON test_suites (created_at, id) WHERE is_latest",
            """
            CREATE TABLE test_suite_steps (
                test_suite_id TEXT NOT NULL,
                test_suite_version INTEGER NOT NULL,
                step_number INTEGER NOT NULL,
                test_id TEXT NOT NULL,
                PRIMARY KEY (test_suite_id, test_suite_version, step_number)
            )
            """,
            "CREATE INDEX test_suite_steps_by_test ON test_suite_steps (test_id)",
            """
            CREATE TABLE test_suite_runs (
                id INTEGER NOT NULL,
                test_suite_id TEXT NOT NULL,
                test_suite_version INTEGER NOT NULL,
                created_at BIGINT NOT NULL,
                state TEXT NOT NULL,
                pass INTEGER NOT NULL DEFAULT 0,
                fail INTEGER NOT NULL DEFAULT 0,
                document TEXT NOT NULL DEFAULT '{}',
                PRIMARY KEY (test_suite_id, id)
            )
            """,
            """
            CREATE TABLE test_suite_run_sequences (
                test_suite_id TEXT PRIMARY KEY,
                last_id INTEGER NOT NULL
            )
            """,
            """
            CREATE TABLE variable_sets (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                description TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                document TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE demos (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                type TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                document TEXT NOT NULL
            )
            """,
        ]
        + ["data_stores", "polling_profiles", "configs", "analyzers", "test_runners", "wizards"].map { table in
            """
            CREATE TABLE \(table) (
                id TEXT PRIMARY KEY,
                updated_at BIGINT NOT NULL,
                document TEXT NOT NULL
            )
            """
        }
}
