/**
 * Markdown building blocks for reports (`reapply --markdown FILE`, CI job summaries, PR bodies).
 * Cells are escaped so a patch named `a|b.patch` or a message with a backtick cannot break
 * the table: mdTable(['patch'], [['a|b']]) -> "| patch |\n|---|\n| a\\|b |".
 */
export function mdEscape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function mdTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map((c) => mdEscape(String(c))).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** Inline code that survives backticks inside: `a`b` -> ``a`b``. */
export function mdCode(text: string): string {
  const fence = '`'.repeat(Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length)) + 1);
  return fence.length > 1 ? `${fence} ${text} ${fence}` : `\`${text}\``;
}

/** A fenced block, e.g. a .rej or a diff; the fence is longer than any run of backticks inside. */
export function mdBlock(text: string, lang = ''): string {
  const fence = '`'.repeat(Math.max(3, ...(text.match(/`+/g) ?? []).map((m) => m.length + 1)));
  return `${fence}${lang}\n${text.replace(/\n$/, '')}\n${fence}`;
}
