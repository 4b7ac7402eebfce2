import { create } from "@bufbuild/protobuf";
import {
  ApiKeySchema,
  AuditEventSchema,
  CreateApiKeyResponseSchema,
  ListApiKeysResponseSchema,
  ListAuditEventsResponseSchema,
  RevokeApiKeyResponseSchema,
  VerifyApiKeyResponseSchema,
  type RegistryService,
} from "@modelrouter/contracts";
import { hashApiKeySecret, newApiKey } from "@modelrouter/auth";
import type { ServiceImpl } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";
import { pageWithin } from "../response-bounds.js";
import type { RegistryStore } from "../store/registry-store.js";
import { parseCreateApiKey, parseListApiKeys, parseRevokeApiKey } from "../validation/api-key-requests.js";
import { parseListAuditEvents } from "../validation/list-audit-events.js";
import { auditActorOf } from "./caller.js";
import { verifyApiKeyIn } from "./verify-api-key.js";

/** The RegistryService methods of API keys and the audit log. */
export type AccessHandlers = Pick<
  ServiceImpl<typeof RegistryService>,
  "createApiKey" | "listApiKeys" | "revokeApiKey" | "verifyApiKey" | "listAuditEvents"
>;

/**
 * CreateApiKey (the key returned once, only its hash stored), ListApiKeys (never a secret or hash), RevokeApiKey
 * (idempotent), VerifyApiKey (UNAUTHENTICATED for anything but a valid, active key) and ListAuditEvents (newest
 * first, paged). Writes are audited as the call's identity; the key itself is never logged.
 */
export function createAccessHandlers(store: RegistryStore, logger: Logger): AccessHandlers {
  const verify = verifyApiKeyIn(store);
  return {
    async createApiKey(request, ctx) {
      const input = parseCreateApiKey(request, store.now());
      const token = newApiKey();
      const key = await store.createApiKey(
        create(ApiKeySchema, { ...input, roles: [...input.roles], id: token.id, createdBy: ctx.identity.subject }),
        hashApiKeySecret(token.secret),
        auditActorOf(ctx.identity),
      );
      logger.info("API key created", { id: key.id, tenant: key.tenant, roles: key.roles, createdBy: key.createdBy });
      return create(CreateApiKeyResponseSchema, { key, secret: token.token });
    },

    async listApiKeys(request) {
      return create(ListApiKeysResponseSchema, { keys: await store.listApiKeys(parseListApiKeys(request)) });
    },

    async revokeApiKey(request, ctx) {
      const key = await store.revokeApiKey(parseRevokeApiKey(request), auditActorOf(ctx.identity));
      logger.info("API key revoked", { id: key.id, tenant: key.tenant });
      return create(RevokeApiKeyResponseSchema, { key });
    },

    async verifyApiKey(request) {
      return create(VerifyApiKeyResponseSchema, { key: await verify(request.secret) });
    },

    async listAuditEvents(request) {
      const { filter, page, tokens } = parseListAuditEvents(request);
      const result = await store.listAuditEvents(filter, page);
      const { items, nextAfter } = pageWithin(AuditEventSchema, result, (event) => event.sequence.toString());
      return create(ListAuditEventsResponseSchema, {
        events: items,
        nextPageToken: nextAfter === undefined ? "" : tokens.encode(nextAfter),
      });
    },
  };
}
