import { describe, expect, it } from "@jest/globals";
import { FAMILIES_END, FAMILIES_START, existingFamiliesSection, withFamiliesSection } from "./families-readme.js";

const section = (body: string): string => `${FAMILIES_START}\n${body}\n${FAMILIES_END}`;

describe("withFamiliesSection", () => {
  it("appends the section to a README without one and replaces it in place on a rebuild", () => {
    const first = withFamiliesSection("# Zoo\n\ndigits table\n", section("v1"));
    expect(first).toBe(`# Zoo\n\ndigits table\n\n${section("v1")}\n`);
    const second = withFamiliesSection(first, section("v2"));
    expect(second).toBe(`# Zoo\n\ndigits table\n\n${section("v2")}\n`);
    expect(existingFamiliesSection(second)).toBe(section("v2"));
    expect(existingFamiliesSection("# Zoo\n")).toBe("");
  });
});
