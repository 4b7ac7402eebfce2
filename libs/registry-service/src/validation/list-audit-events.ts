import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { ListAuditEventsRequest } from "@modelrouter/contracts";
import { Violations } from "@modelrouter/errors";
import type { AuditFilter } from "../store/audit-log.js";
import type { PageRequest } from "../store/page.js";
import { checkLength } from "./bounds.js";
import { checkPageToken, pageSizeOf, pageTokenCodec, type PageTokenCodec } from "./page-token.js";

/** The longest `resource_prefix` and `actor` filter. */
const MAX_FILTER_LENGTH = 512;

/** A ListAuditEvents request, checked: its filter, its page and the page tokens of its listing. */
export interface ListAuditEventsInput {
  readonly filter: AuditFilter;
  readonly page: PageRequest<string>;
  readonly tokens: PageTokenCodec<string>;
}

/**
 * The filter and page of a ListAuditEvents request; empty strings filter nothing.
 *
 * @throws DomainError INVALID_FIELD naming each bad field.
 */
export function parseListAuditEvents(request: ListAuditEventsRequest): ListAuditEventsInput {
  const v = new Violations();
  checkLength(v, "resource_prefix", request.resourcePrefix, MAX_FILTER_LENGTH);
  checkLength(v, "actor", request.actor, MAX_FILTER_LENGTH);
  checkPageToken(v, request.pageToken);
  const start = request.startTime === undefined ? undefined : timestampDate(request.startTime);
  if (start !== undefined && Number.isNaN(start.getTime())) v.add("start_time", "is not a valid timestamp: give seconds from year 1 to 9999");
  v.throwIfAny("invalid ListAuditEvents request");
  const filter: AuditFilter = {
    ...(request.resourcePrefix === "" ? {} : { resourcePrefix: request.resourcePrefix }),
    ...(request.actor === "" ? {} : { actor: request.actor }),
    ...(start === undefined ? {} : { startTime: start }),
  };
  const size = pageSizeOf(request.pageSize);
  const tokens = pageTokenCodec({ listing: "audit-events", filter }, (value): value is string => typeof value === "string" && /^\d{1,19}$/.test(value));
  const after = tokens.decode(request.pageToken);
  return { filter, page: after === undefined ? { size } : { size, after }, tokens };
}
