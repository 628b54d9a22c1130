/** Text in Markdown with `<`, `>` and `&` escaped, so a label never becomes HTML. */
export function escapeMd(text: string): string {
  return text.replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c]!);
}

/** Text in a Markdown table cell: escaped, with `|` escaped and on one line. */
export function mdCell(text: string): string {
  return escapeMd(text).replace(/\|/g, "\\|").replace(/\n/g, " ");
}
