import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type BanditArm, BanditArmSchema } from "@modelrouter/contracts";
import type { BanditArmState } from "@modelrouter/policy";
import type { SqlExecutor, SqlRow } from "../storage/sql-database.js";

/** One arm of one bandit: the bandit's key and the model version. */
export interface ArmKey {
  readonly bandit: string;
  readonly name: string;
  readonly version: string;
}

const COLUMNS = "pulls, reward_sum, reward_square_sum, dimension, gram, reward_features";

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.map((v) => Number(v)) : [];
}

function stateOf(row: SqlRow): BanditArmState {
  return {
    pulls: Number(row["pulls"]),
    rewardSum: Number(row["reward_sum"]),
    rewardSquareSum: Number(row["reward_square_sum"]),
    dimension: Number(row["dimension"]),
    gram: numbers(row["gram"]),
    rewardFeatures: numbers(row["reward_features"]),
  };
}

/** The arm's stored state, locked for update until the transaction ends; undefined when it has none. */
export async function lockArm(tx: SqlExecutor, key: ArmKey): Promise<BanditArmState | undefined> {
  const { rows } = await tx.query(
    `SELECT ${COLUMNS} FROM registry_bandit_arms
      WHERE bandit = $1 AND model_name = $2 AND model_version = $3 FOR UPDATE`,
    [key.bandit, key.name, key.version],
  );
  const row = rows[0];
  return row === undefined ? undefined : stateOf(row);
}

/** Stores the arm's state, replacing what it had. */
export async function storeArm(tx: SqlExecutor, key: ArmKey, arm: BanditArmState, now: Date): Promise<void> {
  await tx.query(
    `INSERT INTO registry_bandit_arms
        (bandit, model_name, model_version, ${COLUMNS}, update_time)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8::float8[], $9::float8[], $10)
      ON CONFLICT (bandit, model_name, model_version) DO UPDATE SET
        pulls = EXCLUDED.pulls,
        reward_sum = EXCLUDED.reward_sum,
        reward_square_sum = EXCLUDED.reward_square_sum,
        dimension = EXCLUDED.dimension,
        gram = EXCLUDED.gram,
        reward_features = EXCLUDED.reward_features,
        update_time = EXCLUDED.update_time`,
    [
      key.bandit,
      key.name,
      key.version,
      String(arm.pulls),
      arm.rewardSum,
      arm.rewardSquareSum,
      arm.dimension,
      `{${arm.gram.join(",")}}`,
      `{${arm.rewardFeatures.join(",")}}`,
      now,
    ],
  );
}

/** Every arm of one bandit (`bandit` non-empty) or of all, ordered by bandit, then model name and version. */
export async function queryArms(db: SqlExecutor, bandit: string): Promise<BanditArm[]> {
  const { rows } = await db.query(
    `SELECT bandit, model_name, model_version, ${COLUMNS}, update_time FROM registry_bandit_arms
      WHERE $1 = '' OR bandit = $1
      ORDER BY bandit, model_name, model_version`,
    [bandit],
  );
  return rows.map((row) => {
    const arm = stateOf(row);
    return create(BanditArmSchema, {
      bandit: String(row["bandit"]),
      model: { name: String(row["model_name"]), version: String(row["model_version"]) },
      pulls: BigInt(Math.max(0, Math.round(arm.pulls))),
      rewardSum: arm.rewardSum,
      rewardSquareSum: arm.rewardSquareSum,
      dimension: arm.dimension,
      gram: [...arm.gram],
      rewardFeatures: [...arm.rewardFeatures],
      updateTime: timestampFromDate(new Date(row["update_time"] as string | Date)),
    });
  });
}
