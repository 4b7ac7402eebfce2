// Checks the protobuf contracts for breaking changes (buf breaking, FILE rules): on a branch against main,
// on main against the previous commit. Skips, saying so, when there is nothing to compare against.
import { execFileSync, spawnSync } from "node:child_process";

const git = (...args) => spawnSync("git", args, { encoding: "utf8" });
const hasProtoAt = (ref) => git("cat-file", "-e", `${ref}:proto/modelrouter`).status === 0;

const branch = git("rev-parse", "--abbrev-ref", "HEAD").stdout.trim();
let against;
if (branch !== "main" && hasProtoAt("main")) against = ".git#branch=main";
else if (hasProtoAt("HEAD~1")) against = ".git#ref=HEAD~1";

if (against === undefined) {
  console.log("buf breaking: skipped (no earlier version of proto/ to compare against)");
} else {
  execFileSync("npx", ["buf", "breaking", "--against", against], { stdio: "inherit" });
  console.log(`buf breaking: no breaking change against ${against}`);
}
