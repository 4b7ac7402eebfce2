/** The part of a package-lock.json (lockfile version 2 or 3) this check reads. */
export interface Lockfile {
  readonly packages: Readonly<Record<string, { readonly optionalDependencies?: Readonly<Record<string, string>> }>>;
}

/**
 * Where Node would look for `dependency` from the package installed at `path` (a key of `packages`: `""` for the
 * root, `libs/x` for a workspace, `node_modules/a/node_modules/b` for a nested package): its own node_modules, then
 * each enclosing one up to the root's.
 */
function candidates(path: string, dependency: string): string[] {
  const found: string[] = [];
  let base = path;
  for (;;) {
    found.push(`${base === "" ? "" : `${base}/`}node_modules/${dependency}`);
    if (base === "") return found;
    const at = base.lastIndexOf("/node_modules/");
    base = at < 0 ? "" : base.slice(0, at);
  }
}

/**
 * Every optional dependency (`<package path> -> <dependency>`) that has no entry of its own in the lockfile. npm
 * writes an entry for each, for every platform, whether or not it installs it here; a lockfile missing some is
 * rewritten by the first `npm install` on a fresh clone.
 */
export function missingOptionalEntries(lockfile: Lockfile): string[] {
  const missing: string[] = [];
  for (const [path, entry] of Object.entries(lockfile.packages)) {
    for (const dependency of Object.keys(entry.optionalDependencies ?? {})) {
      if (!candidates(path, dependency).some((candidate) => candidate in lockfile.packages)) missing.push(`${path || "(root)"} -> ${dependency}`);
    }
  }
  return missing;
}
