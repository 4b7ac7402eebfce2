import { describe, expect, it } from "@jest/globals";
import { overheadRow, renderOverheadTable, repetitionMedians } from "./stream-timing.js";

describe("the streaming benchmark's figures", () => {
  it("takes each repetition's median request, then the median over repetitions", () => {
    expect(repetitionMedians([{ firstUs: 100, totalUs: 900 }, { firstUs: 300, totalUs: 500 }, { firstUs: 200, totalUs: 700 }])).toEqual({ firstUs: 200, totalUs: 700 });
    const row = overheadRow("streamed", { firstUs: [100, 120, 110], totalUs: [1000, 1100, 1050] }, { firstUs: [400, 380, 420], totalUs: [1600, 1500, 1700] });
    expect(row).toEqual({ label: "streamed", directFirstUs: 110, routerFirstUs: 400, directTotalUs: 1050, routerTotalUs: 1600 });
  });

  it("renders what modelrouter adds in milliseconds and the ratio of whole answers", () => {
    const table = renderOverheadTable([{ label: "streamed", directFirstUs: 110, routerFirstUs: 400, directTotalUs: 1050, routerTotalUs: 1600 }]);
    expect(table.split("\n")[2]).toBe("| streamed | 0.11 ms | 0.40 ms | 0.29 ms | 1.05 ms | 1.60 ms | 0.55 ms | 1.52× |");
  });
});
