import type { Logger } from "@modelrouter/telemetry";
import type { SqlDatabase } from "./sql-database.js";

/** One versioned schema change: statements run in order, in the migration transaction. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** One SQL statement each (PGlite's extended protocol runs one statement per query). */
  readonly statements: readonly string[];
}

/**
 * The registry schema, the same for PGlite and PostgreSQL. Append new migrations; never edit an applied one.
 *
 * - `registry_revision`: the one registry-wide revision counter. Every write transaction increments it first,
 *   which also serialises writers, so revisions commit in order and a reader that sees revision N has seen
 *   every revision below N.
 * - `registry_models`: one row per (name, version) with the queryable columns and the full message as
 *   protobuf JSON (`body`). Names and versions use the "C" collation so that ordering (and pagination) is
 *   byte order on every server.
 * - `registry_policies`: one row per policy name.
 * - `registry_changes`: the append-only change log, written in the transaction of the change it records.
 *   A write that changes several resources (deregistering every version of a model) logs several changes at
 *   one revision, numbered by `seq`.
 * - `registry_decisions` (migration 2): the decision log, one row per request id. Data, not configuration:
 *   it has no revision and no change log entries. `body` is the protobuf JSON `DecisionRecord` without its
 *   feedback, which lives in `feedback` (protobuf JSON `Feedback`, `correct` always present) and
 *   `feedback_time`, so that recording a request again replaces `body` and keeps the feedback. The other
 *   columns copy fields of `body` for queries (model names and versions are NULL when no model answered);
 *   the index on `time` serves retention.
 * - `registry_policy_revisions` (migration 3): every applied body of every policy, kept after the policy is
 *   deleted, pruned to a count per policy. Migration 3 also copies the current policies in, and adds the
 *   decision columns `policy_revision` and `fallback_used` (filled from `body` for existing rows), with
 *   indexes for `ListDecisions` filters, each ending in (`time`, `request_id`), its order.
 * - `registry_model_stats` (migration 4): live statistics, one row per (model version, executor instance,
 *   minute) that routers' `RecordModelStats` deltas are added into: requests, failures by code (`errors[c]`
 *   for google.rpc.Code `c`, 1 to 16), latency counts per bucket of `LATENCY_BUCKETS_MS` and their sum. Data,
 *   like decisions: no revision, pruned after a retention. Migration 4 also indexes the decisions that carry
 *   feedback by time, which is what `ListModelStats` reads accuracy and reward from.
 * - `registry_bandit_arms` (migration 5): what each bandit (STRATEGY_BANDIT route, by its key) has learned of
 *   each model version from the feedback on the decisions it served: pulls, the sum and square sum of the
 *   rewards, and for a contextual bandit the dimension d of x = (1, features…), Σ x·xᵀ (`gram`, d × d
 *   row-major) and Σ reward·x (`reward_features`). Updated in the feedback's transaction (see
 *   `attachFeedbackAndLearn`); data, like decisions: no revision.
 * - `registry_api_keys` (migration 6): clients' API keys by public id, with the SHA-256 of their secret (never the
 *   secret), tenant, roles (the `Role` enum's numbers), expiry and revocation time.
 * - `registry_audit_events` (migration 6): the audit log, one row per change (models, policies, API keys), written
 *   in the change's transaction and append-only like the change log (a trigger refuses UPDATE and DELETE).
 */
export const REGISTRY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "models, policies, revision counter and change log",
    statements: [
      `CREATE TABLE registry_revision (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        revision bigint NOT NULL
      )`,
      `INSERT INTO registry_revision (id, revision) VALUES (true, 0)`,
      `CREATE TABLE registry_models (
        name text COLLATE "C" NOT NULL,
        version text COLLATE "C" NOT NULL,
        task text NOT NULL,
        modality integer NOT NULL,
        status integer NOT NULL,
        labels jsonb NOT NULL,
        create_time timestamptz NOT NULL,
        update_time timestamptz NOT NULL,
        revision bigint NOT NULL,
        body jsonb NOT NULL,
        PRIMARY KEY (name, version)
      )`,
      `CREATE INDEX registry_models_task ON registry_models (task)`,
      `CREATE INDEX registry_models_labels ON registry_models USING gin (labels jsonb_path_ops)`,
      `CREATE TABLE registry_policies (
        name text COLLATE "C" PRIMARY KEY,
        create_time timestamptz NOT NULL,
        update_time timestamptz NOT NULL,
        revision bigint NOT NULL,
        body jsonb NOT NULL
      )`,
      `CREATE TABLE registry_changes (
        revision bigint NOT NULL,
        seq integer NOT NULL,
        kind text NOT NULL CHECK (kind IN ('model', 'policy')),
        type text NOT NULL CHECK (type IN ('PUT', 'DELETE')),
        key text COLLATE "C" NOT NULL,
        payload jsonb NOT NULL,
        commit_time timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (revision, seq)
      )`,
      `CREATE INDEX registry_changes_kind ON registry_changes (kind, revision, seq)`,
      `CREATE FUNCTION registry_changes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'registry_changes is append-only';
      END
      $$`,
      `CREATE TRIGGER registry_changes_append_only BEFORE UPDATE OR DELETE ON registry_changes
        FOR EACH ROW EXECUTE FUNCTION registry_changes_append_only()`,
    ],
  },
  {
    version: 2,
    name: "decision log",
    statements: [
      `CREATE TABLE registry_decisions (
        request_id text COLLATE "C" PRIMARY KEY,
        time timestamptz NOT NULL,
        model_name text COLLATE "C",
        model_version text COLLATE "C",
        policy text COLLATE "C" NOT NULL,
        rule text COLLATE "C" NOT NULL,
        code integer NOT NULL,
        top_label text NOT NULL,
        tenant text NOT NULL,
        body jsonb NOT NULL,
        feedback jsonb,
        feedback_time timestamptz,
        CHECK ((feedback IS NULL) = (feedback_time IS NULL))
      )`,
      `CREATE INDEX registry_decisions_time ON registry_decisions (time)`,
    ],
  },
  {
    version: 3,
    name: "policy revisions and decision queries",
    statements: [
      `CREATE TABLE registry_policy_revisions (
        name text COLLATE "C" NOT NULL,
        revision bigint NOT NULL,
        apply_time timestamptz NOT NULL,
        applied_by text NOT NULL,
        digest text NOT NULL,
        body jsonb NOT NULL,
        PRIMARY KEY (name, revision)
      )`,
      `INSERT INTO registry_policy_revisions (name, revision, apply_time, applied_by, digest, body)
        SELECT name, revision, update_time, '', '', body FROM registry_policies`,
      `ALTER TABLE registry_decisions ADD COLUMN policy_revision bigint NOT NULL DEFAULT 0`,
      `ALTER TABLE registry_decisions ADD COLUMN fallback_used boolean NOT NULL DEFAULT false`,
      `UPDATE registry_decisions SET
        policy_revision = COALESCE((body ->> 'policyRevision')::bigint, 0),
        fallback_used = COALESCE((body ->> 'fallbackUsed')::boolean, false)`,
      `CREATE INDEX registry_decisions_newest ON registry_decisions (time DESC, request_id DESC)`,
      `CREATE INDEX registry_decisions_model ON registry_decisions (model_name, time DESC, request_id DESC)`,
      `CREATE INDEX registry_decisions_policy ON registry_decisions (policy, rule, time DESC, request_id DESC)`,
      `CREATE INDEX registry_decisions_tenant ON registry_decisions (tenant, time DESC, request_id DESC)`,
      `CREATE INDEX registry_decisions_policy_revision ON registry_decisions (policy_revision, time DESC, request_id DESC)`,
    ],
  },
  {
    version: 4,
    name: "live model statistics",
    statements: [
      `CREATE TABLE registry_model_stats (
        minute timestamptz NOT NULL,
        model_name text COLLATE "C" NOT NULL,
        model_version text COLLATE "C" NOT NULL,
        instance text COLLATE "C" NOT NULL,
        requests bigint NOT NULL,
        errors bigint[] NOT NULL,
        latency_buckets bigint[] NOT NULL,
        latency_sum_ms double precision NOT NULL,
        PRIMARY KEY (minute, model_name, model_version, instance)
      )`,
      `CREATE INDEX registry_model_stats_model ON registry_model_stats (model_name, minute)`,
      `CREATE INDEX registry_decisions_feedback ON registry_decisions (time) WHERE feedback IS NOT NULL`,
    ],
  },
  {
    version: 5,
    name: "bandit arms",
    statements: [
      `CREATE TABLE registry_bandit_arms (
        bandit text COLLATE "C" NOT NULL,
        model_name text COLLATE "C" NOT NULL,
        model_version text COLLATE "C" NOT NULL,
        pulls bigint NOT NULL,
        reward_sum double precision NOT NULL,
        reward_square_sum double precision NOT NULL,
        dimension integer NOT NULL,
        gram double precision[] NOT NULL,
        reward_features double precision[] NOT NULL,
        update_time timestamptz NOT NULL,
        PRIMARY KEY (bandit, model_name, model_version)
      )`,
    ],
  },
  {
    version: 6,
    name: "API keys and audit log",
    statements: [
      `CREATE TABLE registry_api_keys (
        id text COLLATE "C" PRIMARY KEY,
        tenant text COLLATE "C" NOT NULL,
        roles integer[] NOT NULL,
        description text NOT NULL,
        secret_hash text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz,
        created_by text NOT NULL
      )`,
      `CREATE INDEX registry_api_keys_newest ON registry_api_keys (created_at DESC, id DESC)`,
      `CREATE TABLE registry_audit_events (
        sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        time timestamptz NOT NULL,
        actor text COLLATE "C" NOT NULL,
        actor_tenant text COLLATE "C" NOT NULL,
        action text NOT NULL,
        resource text COLLATE "C" NOT NULL,
        before jsonb,
        after jsonb,
        revision bigint NOT NULL
      )`,
      `CREATE INDEX registry_audit_events_resource ON registry_audit_events (resource, sequence DESC)`,
      `CREATE INDEX registry_audit_events_actor ON registry_audit_events (actor, sequence DESC)`,
      `CREATE FUNCTION registry_audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'registry_audit_events is append-only';
      END
      $$`,
      `CREATE TRIGGER registry_audit_events_append_only BEFORE UPDATE OR DELETE ON registry_audit_events
        FOR EACH ROW EXECUTE FUNCTION registry_audit_events_append_only()`,
    ],
  },
  {
    version: 7,
    name: "tenant-scoped models and policies, API key tiers",
    statements: [
      `ALTER TABLE registry_api_keys ADD COLUMN tier text COLLATE "C" NOT NULL DEFAULT ''`,
      `ALTER TABLE registry_models ADD COLUMN tenant text COLLATE "C" GENERATED ALWAYS AS (coalesce(body->>'tenant', '')) STORED`,
      `CREATE INDEX registry_models_tenant ON registry_models (tenant, name, version)`,
      `ALTER TABLE registry_policies ADD COLUMN tenant text COLLATE "C" GENERATED ALWAYS AS (coalesce(body->>'tenant', '')) STORED`,
      `CREATE INDEX registry_policies_tenant ON registry_policies (tenant, name)`,
    ],
  },
];

/** Serialises migrations of replicas sharing one PostgreSQL database (an arbitrary, fixed advisory lock key). */
const MIGRATION_LOCK_KEY = "7307199127375060001";

/** The outcome of {@link applyMigrations}. */
export interface MigrationResult {
  /** The versions applied now, in order. */
  readonly applied: readonly number[];
  /** The schema version of the database afterwards. */
  readonly version: number;
}

/**
 * Brings the schema up to date in one transaction: all pending migrations apply, or none does. The
 * transaction first takes a transaction-scoped advisory lock, so that replicas starting together on one
 * PostgreSQL database apply each migration once (the others wait, then find nothing to do).
 *
 * @throws Error when the database has a schema newer than these migrations (a newer registry wrote it).
 */
export async function applyMigrations(
  db: SqlDatabase,
  migrations: readonly Migration[] = REGISTRY_MIGRATIONS,
  logger?: Logger,
): Promise<MigrationResult> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS registry_schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ version: number }>("SELECT version FROM registry_schema_migrations");
    const done = new Set(rows.map((row) => Number(row.version)));
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const newest = Math.max(0, ...done);
    if (newest > known) {
      throw new Error(
        `the registry database has schema version ${newest}, newer than this registry knows (${known}): ` +
          `run a registry at least as new as the one that wrote it`,
      );
    }
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query("INSERT INTO registry_schema_migrations (version, name) VALUES ($1, $2)", [
        migration.version,
        migration.name,
      ]);
      logger?.info("applied a registry schema migration", { version: migration.version, name: migration.name });
      applied.push(migration.version);
    }
    return { applied, version: Math.max(newest, ...applied) };
  });
}
