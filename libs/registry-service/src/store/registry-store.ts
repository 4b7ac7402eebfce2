import type { ApiKey, AuditEvent, BanditArm, DecisionRecord, Model, ModelStats, Policy } from "@modelrouter/contracts";
import type { Logger } from "@modelrouter/telemetry";
import { unsafeDurabilitySettings } from "../storage/durability.js";
import { applyMigrations } from "../storage/migrations.js";
import type { SqlDatabase } from "../storage/sql-database.js";
import { findApiKey, insertApiKey, queryApiKeys, revokeApiKey, type ApiKeyFilter, type StoredApiKey } from "./api-key-store.js";
import { queryAuditEvents, type AuditActor, type AuditFilter } from "./audit-log.js";
import { createChangeFeed } from "./change-feed.js";
import type { ResourceKind } from "./change-log.js";
import {
  DEFAULT_DECISION_PRUNE_BATCH_SIZE,
  DEFAULT_DECISION_PRUNE_INTERVAL_MS,
  DEFAULT_DECISION_RETENTION_MS,
  startDecisionRetention,
  type DecisionRetention,
} from "./decision-retention.js";
import { findDecision, type FeedbackValue } from "./decision-store.js";
import { queryArms } from "../bandits/bandit-arm-rows.js";
import { attachFeedbackAndLearn } from "../bandits/learn-from-feedback.js";
import { createDecisionLogWriter } from "./decision-log-writer.js";
import { queryDecisions, type DecisionFilter, type DecisionKey } from "./decision-query.js";
import { findPolicyRevision, queryPolicyRevisions, type PolicyRevisionEntry } from "./policy-revisions.js";
import {
  findCatalogueModels,
  findModel,
  insertModel,
  patchModel,
  queryModels,
  removeModels,
  type ModelFilter,
  type ModelKey,
  type UpdatableModelField,
} from "./model-store.js";
import type { Page, PageRequest } from "./page.js";
import { findPolicy, putPolicy, queryPolicies, removePolicy, type PutPolicyOptions, type PutPolicyResult } from "./policy-store.js";
import { currentRevision } from "./revision.js";
import type { StatsRow } from "../stats/stats-row.js";
import { DEFAULT_MAX_STATS_ROWS, DEFAULT_STATS_RETENTION_MS, openModelStats, type ModelStatsStore } from "./model-stats.js";
import { CHANGE_CHANNEL, type StoreContext } from "./store-context.js";
import { DEFAULT_QUOTAS, type RegistryQuotas } from "./quotas.js";
import { watchChanges, type BatchLimits, type ChangeBatch, type ChangeEncoding } from "./watch-changes.js";

/** Options of {@link openRegistryStore}. */
export interface RegistryStoreOptions {
  /** The database; the store owns it from now on and closes it on {@link RegistryStore.close}. */
  readonly db: SqlDatabase;
  readonly logger: Logger;
  /** The clock of create and update times. Default: the system clock. */
  readonly now?: () => Date;
  /**
   * On PostgreSQL, how often watchers re-read the change log without being notified: a safety net for
   * notifications lost while the listening connection was down. Default 5000 ms.
   */
  readonly pollIntervalMs?: number;
  /**
   * How long the decision log keeps a record, in ms after its `time`: older records are pruned in the
   * background. Default 7 days.
   */
  readonly decisionRetentionMs?: number;
  /** How often the decision log is pruned, in ms. Default 60000. */
  readonly decisionPruneIntervalMs?: number;
  /** How many records one prune statement deletes at most (a sweep runs batches until done). Default 1000. */
  readonly decisionPruneBatchSize?: number;
  /** How many model versions and policies the registry may hold. Default {@link DEFAULT_QUOTAS}. */
  readonly quotas?: Partial<RegistryQuotas>;
  /** How many revisions of one policy are kept; older ones are pruned. Default 50. */
  readonly policyRevisionsKept?: number;
  /**
   * How long live model statistics are kept, in ms after their minute; pruned at the decision log's interval
   * and batch size. Default 24 hours.
   */
  readonly statsRetentionMs?: number;
  /** How many stored minutes of model statistics the registry holds at most. Default 1,000,000. */
  readonly maxStatsRows?: number;
}

/**
 * The registry's durable state: models, policies, the revision counter and the change log, with the
 * semantics the RegistryService documents (conflicts, not-found, optimistic concurrency). Inputs are
 * validated by the caller; every expected failure is a `DomainError`.
 */
export interface RegistryStore {
  readonly dialect: SqlDatabase["dialect"];
  /** The store's clock: of create, update and feedback times, and of the decision log's retention. */
  now(): Date;
  /**
   * Registers a new version; sets revision, create and update times. QUOTA_EXCEEDED when the registry is full.
   * Every write audits itself (see `appendAuditEvent`) as `actor` (default `ANONYMOUS_ACTOR`) in its transaction.
   */
  registerModel(model: Model, actor?: AuditActor): Promise<Model>;
  /**
   * One version, or the latest active or deprecated one when `version` is undefined; with `visibleTo`, only among
   * the versions that tenant may see (shared ones and its own).
   */
  getModel(name: string, version: string | undefined, visibleTo?: string): Promise<Model>;
  listModels(filter: ModelFilter, page: PageRequest<ModelKey>): Promise<Page<Model, ModelKey>>;
  /**
   * Copies `fields` of `source` onto the stored version. `check`, when given, sees the updated version
   * (output-only fields cleared) before it is stored and throws to refuse it.
   */
  updateModel(
    key: ModelKey,
    source: Model,
    fields: readonly UpdatableModelField[],
    expectedRevision: bigint | undefined,
    check?: (updated: Model) => void,
    actor?: AuditActor,
  ): Promise<Model>;
  /** Removes one version, or all versions when `version` is undefined; returns what was removed. */
  deregisterModel(name: string, version: string | undefined, expectedRevision: bigint | undefined, actor?: AuditActor): Promise<Model[]>;
  /**
   * The versions a policy's targets may resolve to: all versions of `names`, plus every active or deprecated
   * version when `selectable` (for label selectors).
   */
  catalogueModels(names: readonly string[], selectable: boolean): Promise<Model[]>;
  /** Creates or replaces a compiled policy. QUOTA_EXCEEDED when it is new and the registry is full. */
  putPolicy(policy: Policy, options: PutPolicyOptions): Promise<PutPolicyResult>;
  /**
   * The current policy, or its body as applied at registry revision `revision` (also of a deleted policy).
   * POLICY_NOT_FOUND when there is none.
   */
  getPolicy(name: string, revision?: bigint): Promise<Policy>;
  /** A page of policies by name; with `visibleTo`, only those that tenant may see (shared ones and its own). */
  listPolicies(page: PageRequest<string>, visibleTo?: string): Promise<Page<Policy, string>>;
  /** A page of a policy's kept revisions, newest first; the key is the revision as a decimal string. */
  listPolicyRevisions(name: string, page: PageRequest<string>): Promise<Page<PolicyRevisionEntry, string>>;
  /** Deletes a policy; `mayRemove` sees it in the write's transaction and throws to refuse. */
  deletePolicy(name: string, expectedRevision: bigint | undefined, actor?: AuditActor, mayRemove?: (existing: Policy) => void): Promise<Policy>;
  /** Stores a new API key (never its secret: `secretHash`), audited as CreateApiKey. */
  createApiKey(key: ApiKey, secretHash: string, actor: AuditActor): Promise<ApiKey>;
  /** Revokes a key (idempotent), audited the first time. NOT_FOUND for an unknown id. */
  revokeApiKey(id: string, actor: AuditActor): Promise<ApiKey>;
  /** A key with its secret's hash, or undefined. */
  findApiKey(id: string): Promise<StoredApiKey | undefined>;
  /** Keys newest first; only active ones (not revoked, not expired at the store's clock) unless `includeInactive`. */
  listApiKeys(filter: ApiKeyFilter): Promise<ApiKey[]>;
  /** A page of the audit log, newest first; the key is the last event's sequence (decimal). */
  listAuditEvents(filter: AuditFilter, page: PageRequest<string>): Promise<Page<AuditEvent, string>>;
  /**
   * Accepts a router's decision (validated by the caller) into the write-behind decision log, which writes it
   * within about 50 ms, replacing an earlier record of its request id but keeping its feedback. Takes no
   * revision and reaches no watcher (see `DecisionLogWriter` and `upsertDecisions`).
   *
   * @throws DomainError OVERLOADED when too many records are waiting to be written.
   */
  recordDecision(record: DecisionRecord): Promise<void>;
  /** The logged decision of a request, with its feedback. REQUEST_NOT_FOUND when there is none. */
  getDecision(requestId: string): Promise<DecisionRecord>;
  /** A page of logged decisions matching `filter`, newest first (records waiting to be written are written first). */
  listDecisions(filter: DecisionFilter, page: PageRequest<DecisionKey>): Promise<Page<DecisionRecord, DecisionKey>>;
  /**
   * Attaches feedback (at the store's clock) to a logged decision, replacing earlier feedback, and teaches the
   * bandit that chose the decision, if one did (see `attachFeedbackAndLearn`); returns the
   * decision. REQUEST_NOT_FOUND when there is none.
   */
  recordFeedback(requestId: string, value: FeedbackValue): Promise<DecisionRecord>;
  /**
   * What every bandit (of one bandit key, when `bandit` is not empty) has learned, ordered by bandit, then
   * model name and version. Feedback teaches the bandits as `recordFeedback` attaches it.
   */
  listBanditArms(bandit: string): Promise<BanditArm[]>;
  /**
   * Deletes the decisions older than the retention now (the background sweep does this every interval);
   * returns how many it deleted.
   */
  pruneDecisions(): Promise<number>;
  /** How long live statistics are kept, in ms: a delta's start time may not be older. */
  readonly statsRetentionMs: number;
  /**
   * Adds routers' validated deltas into the per-minute statistics (an upsert: replicas and routers add up).
   * QUOTA_EXCEEDED when the statistics hold their most rows.
   */
  recordModelStats(rows: readonly StatsRow[]): Promise<void>;
  /** Model versions' statistics over a window ending now (see `ModelStatsStore.list`). */
  listModelStats(windowMs: number, model: string | undefined): Promise<ModelStats[]>;
  /** Deletes the statistics older than their retention now; returns how many minutes it deleted. */
  pruneModelStats(): Promise<number>;
  /**
   * The snapshot (or the changes after `sinceRevision`) and then live changes, encoded by `encoding` into
   * messages within `limits`; see `watchChanges`.
   */
  watch<T>(
    kind: ResourceKind,
    sinceRevision: bigint,
    signal: AbortSignal,
    limits: BatchLimits,
    encoding: ChangeEncoding<T>,
  ): AsyncIterable<ChangeBatch<T>>;
  /** The revision of the last committed write. */
  revision(): Promise<bigint>;
  /** Ends every watch, stops listening and pruning, and closes the database. */
  close(): Promise<void>;
}

const DEFAULT_POLL_INTERVAL_MS = 5_000;

/**
 * Opens the registry on a database: applies pending migrations, warns when PostgreSQL runs with unsafe
 * durability settings, (on PostgreSQL) listens for the commits of other replicas so that local watchers
 * stream them too, and starts pruning the decision log.
 */
export async function openRegistryStore(options: RegistryStoreOptions): Promise<RegistryStore> {
  const { db, logger } = options;
  const feed = createChangeFeed();
  const ctx: StoreContext = {
    db,
    feed,
    now: options.now ?? (() => new Date()),
    quotas: { ...DEFAULT_QUOTAS, ...options.quotas },
    ...(options.policyRevisionsKept === undefined ? {} : { policyRevisionsKept: options.policyRevisionsKept }),
  };
  const closed = new AbortController();
  let unlisten: (() => Promise<void>) | undefined;
  let poll: NodeJS.Timeout | undefined;
  let retention: DecisionRetention | undefined;
  let stats: ModelStatsStore | undefined;

  try {
    const migration = await applyMigrations(db, undefined, logger);
    logger.info("registry database ready", { dialect: db.dialect, schemaVersion: migration.version, applied: migration.applied });
    if (db.dialect === "postgres") {
      const unsafe = await unsafeDurabilitySettings(db);
      if (Object.keys(unsafe).length > 0) {
        logger.warn("PostgreSQL may lose acknowledged registry writes: turn these settings on", { settings: unsafe });
      }
    }
    if (db.listen !== undefined) {
      unlisten = await db.listen(CHANGE_CHANNEL, () => feed.notify());
      poll = setInterval(() => feed.notify(), options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
      poll.unref();
    }
    retention = startDecisionRetention({
      db,
      logger,
      now: ctx.now,
      retentionMs: options.decisionRetentionMs ?? DEFAULT_DECISION_RETENTION_MS,
      intervalMs: options.decisionPruneIntervalMs ?? DEFAULT_DECISION_PRUNE_INTERVAL_MS,
      batchSize: options.decisionPruneBatchSize ?? DEFAULT_DECISION_PRUNE_BATCH_SIZE,
    });
    stats = await openModelStats({
      db,
      logger,
      now: ctx.now,
      retentionMs: options.statsRetentionMs ?? DEFAULT_STATS_RETENTION_MS,
      maxRows: options.maxStatsRows ?? DEFAULT_MAX_STATS_ROWS,
      pruneIntervalMs: options.decisionPruneIntervalMs ?? DEFAULT_DECISION_PRUNE_INTERVAL_MS,
      pruneBatchSize: options.decisionPruneBatchSize ?? DEFAULT_DECISION_PRUNE_BATCH_SIZE,
    });
  } catch (error) {
    if (poll !== undefined) clearInterval(poll);
    await retention?.stop();
    await unlisten?.();
    await db.close();
    throw error;
  }

  const decisions = retention;
  const modelStats = stats;
  const decisionLog = createDecisionLogWriter({ db, logger });
  let closing: Promise<void> | undefined;
  return {
    dialect: db.dialect,
    now: ctx.now,
    registerModel: (model, actor) => insertModel(ctx, model, actor),
    getModel: (name, version, visibleTo) => findModel(db, name, version, visibleTo),
    listModels: (filter, page) => queryModels(db, filter, page),
    updateModel: (key, source, fields, expected, check, actor) => patchModel(ctx, key, source, fields, expected, check, actor),
    deregisterModel: (name, version, expected, actor) => removeModels(ctx, name, version, expected, actor),
    catalogueModels: (names, selectable) => findCatalogueModels(db, names, selectable),
    putPolicy: (policy, putOptions) => putPolicy(ctx, policy, putOptions),
    getPolicy: (name, revision) =>
      revision === undefined || revision === 0n ? findPolicy(db, name) : findPolicyRevision(db, name, revision),
    listPolicies: (page, visibleTo) => queryPolicies(db, page, visibleTo),
    listPolicyRevisions: (name, page) => queryPolicyRevisions(db, name, page),
    deletePolicy: (name, expected, actor, mayRemove) => removePolicy(ctx, name, expected, actor, mayRemove),
    createApiKey: (key, secretHash, actor) => insertApiKey(ctx, key, secretHash, actor),
    revokeApiKey: (id, actor) => revokeApiKey(ctx, id, actor),
    findApiKey: (id) => findApiKey(db, id),
    listApiKeys: (filter) => queryApiKeys(db, filter, ctx.now()),
    listAuditEvents: (filter, page) => queryAuditEvents(db, filter, page),
    recordDecision: async (record) => decisionLog.enqueue(record),
    getDecision: async (requestId) => {
      await decisionLog.flush();
      return findDecision(db, requestId);
    },
    listDecisions: async (filter, page) => {
      await decisionLog.flush();
      return queryDecisions(db, filter, page);
    },
    recordFeedback: async (requestId, value) => {
      await decisionLog.flush();
      return attachFeedbackAndLearn(db, requestId, value, ctx.now());
    },
    listBanditArms: (bandit) => queryArms(db, bandit),
    pruneDecisions: () => decisions.sweep(),
    statsRetentionMs: modelStats.retentionMs,
    recordModelStats: (rows) => modelStats.record(rows),
    listModelStats: (windowMs, model) => modelStats.list(windowMs, model),
    pruneModelStats: () => modelStats.prune(),
    watch: (kind, since, signal, limits, encoding) =>
      watchChanges({ db, feed }, kind, since, AbortSignal.any([signal, closed.signal]), limits, encoding),
    revision: () => currentRevision(db),
    close() {
      closing ??= (async () => {
        closed.abort();
        if (poll !== undefined) clearInterval(poll);
        await decisions.stop();
        await modelStats.stop();
        await decisionLog.close();
        await unlisten?.();
        await db.close();
      })();
      return closing;
    },
  };
}
