// The printed runbook as one HTML page for paper: front matter, then every section on a new
// page with its steps and a sign-off table per node, then the troubleshooting appendix.
import { escapeHtml as e } from './escape.js';
import { htmlPage, type Paper } from './html-page.js';
import { joinNotes, kindLabel } from './markdown.js';
import type { ExportDoc, ExportSection, ExportStep } from './model.js';
import type { Labels } from './labels.js';

const BOX = '<span class="box" aria-hidden="true"></span>';

/** Text with its line breaks kept, one paragraph per blank-line-separated block. */
function paragraphs(text: string, cls?: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p${cls ? ` class="${cls}"` : ''}>${e(p).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
}

const pre = (code: string): string => `<pre><code>${e(code.replace(/\n+$/, ''))}</code></pre>`;

function stepHtml(step: ExportStep, number: string, anchor: string, labels: Labels): string {
  const out: string[] = [];
  out.push(`<div class="step${step.destructive && !step.notInThisRun ? ' destructive' : ''}" id="${anchor}">`);
  out.push(`<h3>${e(number)} ${step.title !== undefined ? `${e(step.title)} ` : ''}<span class="id">${e(step.id)}</span></h3>`);
  if (step.when) out.push(`<p><span class="label">${e(labels.onlyWhen)}${labels.colon}</span> <code>${e(step.when)}</code></p>`);
  if (step.notInThisRun) {
    out.push(`<p class="note">${e(labels.notInThisRun)}</p>`, '</div>');
    return out.join('\n');
  }
  if (step.destructive) out.push(`<p><span class="flag">⚠ ${e(labels.destructive)}</span> ${e(labels.destructiveNote)}</p>`);
  if (step.why) out.push(`<p><span class="label">${e(labels.why)}${labels.colon}</span> ${e(step.why)}</p>`);
  if (step.text) out.push(paragraphs(step.text));
  if (step.checklist.length > 0)
    out.push(`<ul class="checklist">\n${step.checklist.map((i) => `<li>${BOX}${e(i)}</li>`).join('\n')}\n</ul>`);
  if (step.check) {
    out.push(`<p><span class="label">${e(labels.check)}${labels.colon}</span> ${e(step.check.words)}</p>`);
    if (step.check.args.length > 0)
      out.push(`<ul>\n${step.check.args.map(([k, v]) => `<li><code>${e(k)}</code>: <code>${e(v)}</code></li>`).join('\n')}\n</ul>`);
  }
  for (const block of step.commands) {
    const on = block.nodes.length > 0 ? ` (${e(labels.commandOn)} ${e(block.nodes.join(', '))})` : '';
    out.push(`<p><span class="label">${e(labels.command)}</span>${on}:</p>`, pre(block.text));
  }
  for (const c of step.captures) out.push(`<p>${e(labels.capture(c.name))}: <code>${e(c.regex)}</code></p>`);
  if (step.gate) out.push(`<p class="gate"><span class="label">${e(labels.afterIt)}${labels.colon}</span> ${e(step.gate)}</p>`);
  if (step.deadline)
    out.push(
      `<p class="deadline"><span class="label">${e(labels.deadlineLabel)}${labels.colon}</span> <strong>${e(step.deadline)}</strong></p>`,
    );
  if (step.confirm) out.push(`<p>${BOX}${e(step.confirm)}</p>`);
  if (step.troubleshoot) out.push(`<p class="note">${e(labels.ifItFails(step.troubleshoot))}</p>`);
  if (step.hint) out.push(`<p><span class="label">${e(labels.hint)}${labels.colon}</span> ${e(step.hint)}</p>`);
  out.push('</div>');
  return out.join('\n');
}

function signOffHtml(section: ExportSection, labels: Labels): string {
  const head = `<thead><tr><th scope="col">${e(labels.node)}</th><th scope="col">${e(labels.address)}</th><th scope="col" class="done">${e(labels.done)}</th><th scope="col" class="time">${e(labels.time)}</th><th scope="col" class="initials">${e(labels.initials)}</th></tr></thead>`;
  const rows = section.signOff
    .map(
      (r) =>
        `<tr><td>${e(r.node)}</td><td>${e(r.address)}</td><td class="done">${BOX}</td><td class="time"></td><td class="initials"></td></tr>`,
    )
    .join('\n');
  const blank = section.signOff.every((r) => r.node === '');
  return [
    `<h3>${e(labels.signOff)}${labels.sep}${e(section.title)}</h3>`,
    `<table class="signoff">\n${head}\n<tbody>\n${rows}\n</tbody>\n</table>`,
    ...(blank ? [`<p class="note">${e(labels.addRows)}</p>`] : []),
  ].join('\n');
}

function sectionHtml(section: ExportSection, n: number, labels: Labels): string {
  const kind = kindLabel(section, labels);
  const out: string[] = [`<section class="part" id="section-${n}">`];
  out.push(`<h2>${n}. ${e(section.title)}${kind ? ` <span class="kind">${e(kind)}</span>` : ''}</h2>`);
  const intro =
    section.kind === 'guards'
      ? labels.guardsIntro
      : section.kind === 'prerequisites'
        ? labels.prerequisitesIntro
        : section.kind === 'checklist'
          ? labels.checklistIntro
          : undefined;
  if (intro) out.push(`<p class="note">${e(intro)}</p>`);
  const facts = [section.runsOn, section.strategy, section.maxFailures].filter((x): x is string => Boolean(x)).join('; ');
  out.push(`<p><span class="label">${e(labels.runsOn)}${labels.colon}</span> ${e(facts)}</p>`);
  if (section.when) out.push(`<p><span class="label">${e(labels.onlyWhen)}${labels.colon}</span> <code>${e(section.when)}</code></p>`);
  if (section.notInThisRun) {
    out.push(`<p class="note">${e(labels.notInThisRun)}</p>`, '</section>');
    return out.join('\n');
  }
  if (section.why) out.push(`<p><span class="label">${e(labels.why)}${labels.colon}</span> ${e(section.why)}</p>`);
  if (section.text) out.push(paragraphs(section.text));
  section.steps.forEach((step, i) => out.push(stepHtml(step, `${n}.${i + 1}`, `step-${n}-${i + 1}`, labels)));
  out.push(section.noTargets ? `<p class="note">${e(labels.noTargets)}</p>` : signOffHtml(section, labels));
  out.push('</section>');
  return out.join('\n');
}

/** The whole printed runbook as a self-contained HTML page. */
export function renderHtml(doc: ExportDoc, options: { paper?: Paper } = {}): string {
  const { labels } = doc;
  const body: string[] = ['<header>', `<h1>${e(doc.title)}</h1>`];
  if (doc.description) body.push(paragraphs(doc.description));
  const meta = [...doc.meta, ...doc.header];
  body.push(
    `<table class="meta">\n<tbody>\n${meta.map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td>${e(v)}</td></tr>`).join('\n')}\n</tbody>\n</table>`,
  );
  body.push('</header>');

  const appendixTitle = `${labels.appendix}${labels.sep}${labels.troubleshooting}`;
  const contents = doc.sections.map((s, i) => {
    const kind = kindLabel(s, labels);
    return `<li><a href="#section-${i + 1}">${e(s.title)}</a>${kind ? e(labels.paren(kind)) : ''}</li>`;
  });
  if (doc.troubleshooting.length > 0) contents.push(`<li><a href="#appendix">${e(appendixTitle)}</a></li>`);
  body.push(`<h2>${e(labels.contents)}</h2>`, `<ol>\n${contents.join('\n')}\n</ol>`);

  body.push(`<h2>${e(labels.parameters)}</h2>`);
  if (doc.params.length === 0) body.push(`<p>${e(labels.noParameters)}</p>`);
  else {
    const rows = doc.params.map(
      (p) =>
        `<tr><th scope="row"><code>${e(p.name)}</code></th><td><code>${e(p.value)}</code></td><td>${e(joinNotes(p.notes, labels))}</td></tr>`,
    );
    body.push(
      `<table class="params">\n<thead><tr><th scope="col">${e(labels.name)}</th><th scope="col">${e(labels.value)}</th><th scope="col">${e(labels.notes)}</th></tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`,
    );
  }
  body.push(`<p class="note">${e(labels.exitRule)}</p>`);

  doc.sections.forEach((section, i) => body.push(sectionHtml(section, i + 1, labels)));

  if (doc.troubleshooting.length > 0) {
    body.push(
      '<section class="part" id="appendix">',
      `<h2>${e(appendixTitle)}</h2>`,
      `<p class="note">${e(labels.troubleshootingIntro)}</p>`,
    );
    for (const role of doc.troubleshooting) {
      body.push(`<h3>${e(`${labels.role}${labels.sep}${role.title}`)}</h3>`);
      if (role.description) body.push(paragraphs(role.description));
      for (const t of role.commands) {
        body.push(`<h4>${e(t.title)}</h4>`);
        if (t.why) body.push(`<p>${e(t.why)}</p>`);
        body.push(pre(t.command));
      }
      for (const h of role.health) {
        const when = h.when ? ` (${e(labels.onlyWhen)} <code>${e(h.when)}</code>)` : '';
        body.push(`<h4>${e(labels.health)}${when}</h4>`, `<p class="gate">${e(h.gate)}</p>`, pre(h.command));
      }
    }
    body.push('</section>');
  }
  return htmlPage({ lang: doc.lang, title: doc.title, body: body.join('\n'), ...(options.paper ? { paper: options.paper } : {}) });
}
