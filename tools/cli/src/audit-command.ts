import { parseArgs } from "node:util";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { AuditEvent, ListAuditEventsRequestSchema } from "@modelrouter/contracts";
import type { Command } from "./commands.js";
import type { Connection } from "./connection.js";
import { UsageError } from "./io.js";
import { formatTable } from "./table.js";
import { countOption, timeOption } from "./time-option.js";

/** The rows of `audit list`: time, actor (and its tenant), action, resource and registry revision, newest first. */
export function auditTable(events: readonly AuditEvent[]): string[] {
  return formatTable(
    ["TIME", "ACTOR", "TENANT", "ACTION", "RESOURCE", "REVISION"],
    events.map((e) => [
      e.time === undefined ? "" : timestampDate(e.time).toISOString(),
      e.actor,
      e.actorTenant,
      e.action,
      e.resource,
      e.revision === 0n ? "" : e.revision.toString(),
    ]),
  );
}

/** At most `limit` events matching `request`, newest first, read page by page. */
async function newest(
  connection: Connection,
  request: MessageInitShape<typeof ListAuditEventsRequestSchema>,
  limit: number,
): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let pageToken = "";
  do {
    const page = await connection.registry.listAuditEvents({ ...request, pageSize: Math.min(500, limit - events.length), pageToken });
    events.push(...page.events);
    pageToken = page.nextPageToken;
  } while (pageToken !== "" && events.length < limit);
  return events.slice(0, limit);
}

export const auditCommand: Command = {
  usage: `modelrouter audit list [--resource PREFIX] [--actor SUBJECT] [--since 24h|TIME] [--limit N]
                                               the registry's changes, newest first (default 50): who changed which
                                               model, policy or API key ("--resource policy/", "--resource model/NAME@")`,

  async run(args, connection, io) {
    const [action, ...rest] = args;
    const { values } = parseArgs({
      args: rest,
      options: {
        resource: { type: "string" },
        actor: { type: "string" },
        since: { type: "string" },
        limit: { type: "string" },
      },
    });
    if (action !== "list") throw new UsageError(`audit: unknown action "${action ?? ""}" (say list)`);
    const limit = countOption("--limit", values.limit, 50, 10_000);
    const request = {
      resourcePrefix: values.resource ?? "",
      actor: values.actor ?? "",
      ...(values.since === undefined ? {} : { startTime: timestampFromMs(timeOption("--since", values.since, Date.now(), -1)) }),
    };
    for (const line of auditTable(await newest(connection, request, limit))) io.out(line);
    return 0;
  },
};
