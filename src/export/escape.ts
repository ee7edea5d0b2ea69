// Escaping for the two output formats. Everything that comes from a runbook, an inventory or a
// journal is text, never markup: a step titled <script> must print as those characters.

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML[c]!);
}

// Characters Markdown (CommonMark and GitHub's) reads as markup anywhere in a line; raw HTML
// (<...>) and entities (&...;) included, so they are backslash-escaped.
const MD_INLINE = /[\\`*_[\]<>|~&$]/g;

/** Text inside a line (after other text): only inline markup is escaped. */
export function escapeMarkdownInline(text: string): string {
  return text.replace(MD_INLINE, (c) => `\\${c}`);
}

/** One line of text as Markdown that renders to exactly that text, wherever the line starts. */
export function escapeMarkdownLine(line: string): string {
  // What makes a line a heading, list, quote, rule or numbered item when it starts it.
  return escapeMarkdownInline(line)
    .replace(/^(\s*)([#+\-=])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

/** Text of one or more lines as Markdown paragraphs (a blank line still separates them). */
export function escapeMarkdown(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => escapeMarkdownLine(line.trimEnd()))
    .join('\n');
}

/** Text inside a Markdown table cell: one line, pipes escaped. */
export function markdownCell(text: string): string {
  return escapeMarkdownInline(text.replace(/\s*\r?\n\s*/g, ' ').trim());
}

/** A fenced code block whose fence no line of the code can close. */
export function markdownCode(code: string, info = ''): string {
  const longest = Math.max(0, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${code.replace(/\n+$/, '')}\n${fence}`;
}

/** Inline code that shows the text exactly, whatever backticks it holds. */
export function markdownInlineCode(code: string): string {
  const one = code.replace(/\s*\r?\n\s*/g, ' ');
  const longest = Math.max(0, ...[...one.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = one.startsWith('`') || one.endsWith('`') || one.startsWith(' ') ? ' ' : '';
  return `${ticks}${pad}${one}${pad}${ticks}`;
}
