import { describe, expect, it } from "@jest/globals";
import { parseIp } from "./index.js";

describe("parseIp", () => {
  it.each([
    ["10.0.0.1", 4, 0x0a000001n],
    ["255.255.255.255", 4, 0xffffffffn],
    ["::1", 6, 1n],
    ["::", 6, 0n],
    ["[fd00::7]", 6, 0xfd000000000000000000000000000007n],
    ["::ffff:127.0.0.1", 6, 0xffff7f000001n],
    ["64:ff9b::169.254.169.254", 6, 0x0064ff9b0000000000000000a9fea9fen],
    ["fe80::1%eth0", 6, 0xfe800000000000000000000000000001n],
    ["1:2:3:4:5:6:7:8", 6, 0x00010002000300040005000600070008n],
  ])("reads %s as the address it is", (text, version, bits) => {
    expect(parseIp(text)).toEqual({ version, bits });
  });

  it.each([["127.1"], ["0177.0.0.1"], ["2130706433"], ["256.0.0.1"], ["1.2.3.4.5"], ["1::2::3"], ["1:2:3:4:5:6:7:8:9"], ["::12345"], ["::1.2.3"], ["localhost"], [""]])(
    "reads %j as no address (URL forms are normalised by the URL check first)",
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );
});
