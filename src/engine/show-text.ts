// A runbook's text filled in for display. The validator reads titles, why, hints, deadline
// texts, section texts and header fields as templates; here they are filled in: secrets masked,
// a ref not known yet (a var captured later) left as written, e.g. {{vars.patch_url}}. Never
// throws: a template that cannot be read is shown as written. Knows no run state, so that the
// state can be built with it.
import type { Runbook } from '../runbook/schema.js';
import { redactSecrets, renderForDisplay, type Scope } from '../runbook/template.js';

/** A text as shown with this scope (see the file's head). */
export function showText(text: string, scope: Scope): string {
  // Most titles hold no template: no parse for them.
  if (!text.includes('{{')) return scope.secrets && scope.secrets.size > 0 ? redactSecrets(text, scope) : text;
  try {
    return renderForDisplay(text, scope, 'text', { missing: 'keep' });
  } catch {
    return redactSecrets(text, scope);
  }
}

/** The runbook's header fields, filled in. */
export function renderHeader(header: Runbook['header'], scope: Scope): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(header ?? {})) out[k] = showText(v, scope);
  return out;
}
