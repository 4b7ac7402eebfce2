import { describe, expect, it } from "@jest/globals";
import { apiKeySecretMatches, hashApiKeySecret, newApiKey, parseApiKey } from "./api-key-token.js";

describe("API keys", () => {
  it("are mrk_<12 hex id>_<43 base64url secret>, and parse back to their id and secret", () => {
    const key = newApiKey();
    expect(key.token).toMatch(/^mrk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(parseApiKey(key.token)).toEqual({ id: key.id, secret: key.secret });
  });

  it("are different every time", () => {
    const tokens = new Set(Array.from({ length: 100 }, () => newApiKey().token));
    expect(tokens.size).toBe(100);
  });

  it.each(["", "mrk_", "Bearer mrk_x", "mrk_0123456789ab", "mrk_0123456789AB_" + "a".repeat(43), "mrk_0123456789ab-" + "a".repeat(43), "mrk_0123456789ab_" + "a".repeat(42), "sk-" + "a".repeat(48)])(
    "refuses %j as a key",
    (token) => {
      expect(parseApiKey(token)).toBeUndefined();
    },
  );

  it("match only their own secret's hash", () => {
    const key = newApiKey();
    const stored = hashApiKeySecret(key.secret);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(apiKeySecretMatches(key.secret, stored)).toBe(true);
    expect(apiKeySecretMatches(newApiKey().secret, stored)).toBe(false);
    expect(apiKeySecretMatches(key.secret, "")).toBe(false);
  });
});
