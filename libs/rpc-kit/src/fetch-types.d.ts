// connect-es's declarations (used by the conformance test, connect-conformance.spec.ts) name the Fetch API type
// `HeadersInit`, which @types/node 20 does not declare globally. This is the Fetch standard's definition.
type HeadersInit = [string, string][] | Record<string, string> | Headers;
