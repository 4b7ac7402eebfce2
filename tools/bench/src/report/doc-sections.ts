/** Replaces (or appends) the text between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->` in a document. */
export function replaceSection(document: string, name: string, content: string): string {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${content.trimEnd()}\n${end}`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from >= 0 && to > from) return `${document.slice(0, from)}${block}${document.slice(to + end.length)}`;
  return `${document.trimEnd()}\n\n${block}\n`;
}
