import type { SqlExecutor } from "../storage/sql-database.js";

/** How often one model version answered as a shadow in a window, and agreed with the primary. */
export interface ShadowSummary {
  readonly model: string;
  readonly version: string;
  /** The mirrored requests whose shadow answered. */
  readonly shadowed: number;
  /** Of those, the answers whose top label was the primary's. */
  readonly agreed: number;
}

/**
 * The shadow results of the decisions made from `since` on (their `shadows`, in the record's JSON body), per
 * shadow model version (of one model when given): the answered ones and those that agreed with the primary.
 * Shadows that were dropped or failed (a non-zero code) do not count.
 */
export async function sumShadows(db: SqlExecutor, since: Date, model: string | undefined): Promise<ShadowSummary[]> {
  const { rows } = await db.query(
    `SELECT s -> 'model' ->> 'name' AS model_name, COALESCE(s -> 'model' ->> 'version', '') AS model_version,
        count(*)::int AS shadowed,
        count(*) FILTER (WHERE COALESCE((s ->> 'sameTopLabel')::boolean, false))::int AS agreed
      FROM registry_decisions AS d
        CROSS JOIN LATERAL jsonb_array_elements(
          CASE WHEN jsonb_typeof(d.body -> 'shadows') = 'array' THEN d.body -> 'shadows' ELSE '[]'::jsonb END) AS s
      WHERE d.time >= $1 AND COALESCE((s ->> 'code')::int, 0) = 0 AND s -> 'model' ->> 'name' IS NOT NULL
        ${model === undefined ? "" : "AND s -> 'model' ->> 'name' = $2"}
      GROUP BY 1, 2`,
    model === undefined ? [since] : [since, model],
  );
  return rows.map((r) => ({
    model: String(r["model_name"]),
    version: String(r["model_version"]),
    shadowed: Number(r["shadowed"]),
    agreed: Number(r["agreed"]),
  }));
}
