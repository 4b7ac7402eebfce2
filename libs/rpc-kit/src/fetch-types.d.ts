// @connectrpc/connect's declarations name the Fetch API type `HeadersInit`, which @types/node 20 does not
// declare globally. This is the Fetch standard's definition.
type HeadersInit = [string, string][] | Record<string, string> | Headers;
