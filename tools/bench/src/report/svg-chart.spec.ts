import { describe, expect, it } from "@jest/globals";
import { escapeXml, linearScale, logScale, renderLineChart } from "./svg-chart.js";

/** A start, end or empty-element tag with well-formed attributes. */
const TAG = /<(\/?)([a-zA-Z]+)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*(\/?)>/g;

/** Checks that every tag is well formed and closed in order (no XML parser is installed). */
function assertWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, "");
  const stack: string[] = [];
  for (const match of body.matchAll(TAG)) {
    const [, closing, name, , selfClosing] = match;
    if (selfClosing === "/") continue;
    if (closing === "/") {
      expect(stack.pop()).toBe(name);
    } else {
      stack.push(name!);
    }
  }
  expect(stack).toEqual([]);
  // Every "<…>" is such a tag (none has a broken attribute), and text holds no raw "<" or bare "&".
  const tags = body.match(/<[^>]*>/g) ?? [];
  const matched = [...body.matchAll(TAG)];
  expect(matched.length).toBe(tags.length);
  const text = body.replace(TAG, "");
  expect(text).not.toMatch(/<|&(?!(amp|lt|gt|quot|apos);)/);
}

describe("scales", () => {
  it("maps a linear domain onto pixels, flipping when the range is reversed (as for y)", () => {
    const x = linearScale([0, 100], [50, 250]);
    expect([x(0), x(50), x(100)]).toEqual([50, 150, 250]);
    const y = linearScale([0, 10], [300, 100]);
    expect([y(0), y(10)]).toEqual([300, 100]);
    expect(x.ticks()).toEqual([0, 20, 40, 60, 80, 100]);
  });

  it("maps decades to equal distances on a log scale, with 1-2-5 ticks inside the domain", () => {
    const y = logScale([0.1, 100], [400, 100]);
    expect([y(0.1), y(1), y(10), y(100)].map((v) => Math.round(v))).toEqual([400, 300, 200, 100]);
    expect(y.ticks()).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]);
    expect(() => logScale([0, 1], [0, 1])).toThrow(RangeError);
  });
});

describe("renderLineChart", () => {
  const chart = renderLineChart(
    [
      {
        title: "p50 <ms>",
        xLabel: "req/s",
        yLabel: "ms",
        yLog: true,
        series: [
          { label: "echo & co", color: "#777", points: [{ x: 200, y: 0.5 }, { x: 1000, y: 0.6 }, { x: 2000, y: 0.9 }] },
          { label: "router", color: "#1f77b4", dashed: true, points: [{ x: 200, y: 1.5 }, { x: 1000, y: Number.NaN }, { x: 2000, y: 40 }] },
        ],
      },
      { title: "empty", xLabel: "x", yLabel: "y", series: [] },
    ],
    { panelWidth: 300, panelHeight: 250, title: "latency", caption: "2 × EPYC" },
  );

  it("is a well-formed standalone SVG document with escaped text", () => {
    expect(chart.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    assertWellFormed(chart);
    expect(chart).toContain("p50 &lt;ms&gt;");
    expect(chart).toContain("echo &amp; co");
    expect(chart).not.toMatch(/<script|href=/);
  });

  it("draws each series inside its panel's plot area, leaving out points that cannot be drawn", () => {
    const polylines = [...chart.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1]!.split(" ").map((p) => p.split(",").map(Number)));
    expect(polylines.map((l) => l.length)).toEqual([3, 2]);
    for (const [x, y] of polylines.flat()) {
      expect(x).toBeGreaterThanOrEqual(62);
      expect(x).toBeLessThanOrEqual(300 - 14);
      expect(y).toBeGreaterThanOrEqual(30 + 28);
      expect(y).toBeLessThanOrEqual(30 + 250 - 44);
    }
    // Higher latency is higher up: the router's 40 ms point is above its 1.5 ms point.
    const router = polylines[1]!;
    expect(router[1]![1]!).toBeLessThan(router[0]![1]!);
    expect(chart).toContain('stroke-dasharray="6 4"');
  });

  it("sizes the document to its panels, legend and caption", () => {
    expect(chart).toMatch(/<svg [^>]*width="600" height="\d+" viewBox="0 0 600 \d+"/);
    expect(chart).toContain(">2 × EPYC</text>");
  });
});

describe("escapeXml", () => {
  it("escapes the five XML special characters", () => {
    expect(escapeXml(`<a b="c">'&'</a>`)).toBe("&lt;a b=&quot;c&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
  });
});
