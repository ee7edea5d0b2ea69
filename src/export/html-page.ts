// The page around the printed runbook and the run report: one self-contained file (inline CSS,
// no fonts, scripts or images from anywhere), made for paper and readable in black and white.
import { escapeHtml } from './escape.js';
import { stripControls } from '../input/controls.js';

/** Paper the page is laid out for; both fit the same content width. */
export type Paper = 'a4' | 'letter';

const LATIN = '"Noto Sans", "DejaVu Sans", "Liberation Sans", "Helvetica Neue", Helvetica, Arial';
const CJK = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei"';
const MONO = '"DejaVu Sans Mono", "Liberation Mono", "Noto Sans Mono", Menlo, Consolas, "Noto Sans Mono CJK SC"';

/** Fonts for a language: Latin first, then a CJK family that prints Chinese, then generic. */
export const FONT_STACK = `${LATIN}, ${CJK}, sans-serif`;
export const MONO_STACK = `${MONO}, ${CJK}, monospace`;

function css(paper: Paper): string {
  const size = paper === 'letter' ? 'letter' : 'A4';
  return `
@page { size: ${size}; margin: 16mm 15mm 18mm 15mm; }
* { box-sizing: border-box; }
html { color: #000; background: #fff; }
body { font-family: ${FONT_STACK}; font-size: 10.5pt; line-height: 1.4; margin: 0 auto; max-width: 180mm; padding: 8mm 0; }
h1 { font-size: 20pt; margin: 0 0 4mm; }
h2 { font-size: 15pt; margin: 0 0 3mm; border-bottom: 1.5pt solid #000; padding-bottom: 1mm; }
h3 { font-size: 12pt; margin: 5mm 0 2mm; }
h4 { font-size: 10.5pt; margin: 3mm 0 1mm; }
h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
p { margin: 1.5mm 0; }
code, pre, .id { font-family: ${MONO_STACK}; }
pre { font-size: 9pt; white-space: pre-wrap; overflow-wrap: anywhere; border: 0.75pt solid #000; border-left-width: 3pt; padding: 2mm 3mm; margin: 1mm 0 2mm; break-inside: avoid; page-break-inside: avoid; }
.id { font-size: 8.5pt; font-weight: normal; color: #333; }
.kind { font-size: 9pt; font-weight: bold; text-transform: uppercase; letter-spacing: 0.05em; border: 1pt solid #000; padding: 0 1.5mm; margin-left: 2mm; vertical-align: middle; }
.part { break-before: page; page-break-before: always; }
.meta, .params, .signoff, .data { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; }
.meta th, .meta td, .params th, .params td, .signoff th, .signoff td, .data th, .data td { border: 0.75pt solid #000; padding: 1mm 2mm; text-align: left; vertical-align: top; }
thead th { background: #eee; }
.meta th { width: 22%; }
td { overflow-wrap: anywhere; }
.signoff td { height: 9mm; }
.signoff .done { width: 14mm; text-align: center; }
.signoff .time, .signoff .initials { width: 28mm; }
tr { break-inside: avoid; page-break-inside: avoid; }
.box { display: inline-block; width: 3.6mm; height: 3.6mm; border: 0.9pt solid #000; vertical-align: -0.5mm; margin-right: 1.5mm; }
.step { margin: 0 0 4mm; padding: 1mm 0 0; border-top: 0.5pt solid #999; }
.step.destructive { border: 2.5pt solid #000; padding: 2mm 3mm; }
.flag { display: inline-block; font-weight: bold; border: 1.5pt solid #000; padding: 0.3mm 1.5mm; margin: 1mm 0; background: #fff; }
.destructive .flag { border-width: 2pt; text-transform: uppercase; letter-spacing: 0.05em; }
.label { font-weight: bold; }
.gate, .deadline { border-left: 3pt double #000; padding-left: 2mm; }
ul.checklist { list-style: none; padding-left: 1mm; }
ul.checklist li { margin: 1mm 0; }
.note { font-style: italic; }
.fail { font-weight: bold; }
@media screen { body { padding: 10mm 8mm; } .destructive .flag { color: #b00; border-color: #b00; } .step.destructive { border-color: #b00; } }
@media print { body { max-width: none; padding: 0 0.6mm; } a { color: #000; text-decoration: none; } }
`;
}

/** A whole HTML document. `body` is markup the caller escaped; `title` is text. */
export function htmlPage(options: { lang: string; title: string; body: string; paper?: Paper }): string {
  // Long titles are cut for the tab; the heading in the body keeps the whole text.
  const title = options.title.length > 70 ? `${options.title.slice(0, 69)}…` : options.title;
  const lines = [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(options.lang)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${css(options.paper ?? 'a4')}</style>`,
    '</head>',
    '<body>',
    options.body,
    '</body>',
    '</html>',
    '',
  ];
  // Trailing spaces have no meaning here, and validators flag them. No control character of a
  // runbook, inventory or journal reaches a reader's terminal (cat) or browser.
  return stripControls(lines.join('\n').replace(/[ \t]+$/gm, ''));
}
