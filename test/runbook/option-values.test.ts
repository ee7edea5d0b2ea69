// A value that begins with - where a program reads an argument is read as an option (curl -O
// {{vars.url}} with a captured "-oProxyCommand=..."): refused when the command is rendered to run,
// naming the ref and never the value, unless -- ends the options first or the author wrote | raw.
import { describe, expect, it } from 'vitest';
import { render, renderForDisplay, TemplateError, type Scope } from '../../src/runbook/template.js';

const HOSTILE = '-oProxyCommand=touch /tmp/owned';
const scope = (u = HOSTILE): Scope => ({ params: { token: '-secret-token' }, vars: { u }, secrets: new Set(['token']) });
const refusal = (template: string, s = scope()): TemplateError => {
  try {
    render(template, s, 'shell');
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error(`rendered: ${template}`);
};

describe('values that begin with -', () => {
  it.each([
    ['curl -O {{vars.u}}', 'curl'],
    ['curl -O "{{vars.u}}"', 'curl'],
    ["curl -O '{{vars.u}}'", 'curl'],
    ['sudo -n env X=1 nice sort {{vars.u}} </dev/null', 'sort'],
    ['tar -C /tmp -xf {{vars.u}}', 'tar'],
    ['echo {{vars.u}}', 'echo'],
    ['a=1; ls {{vars.u}} | wc -l', 'ls'],
  ])('%s: refused, naming the ref and %s, never the value', (template, program) => {
    const e = refusal(template);
    expect(e.ref).toBe('vars.u');
    expect(e.message).toContain(`{{vars.u}} has a value that begins with "-" where ${program} reads an argument`);
    expect(e.message).toContain('put -- before it');
    expect(e.message).not.toContain('ProxyCommand');
  });

  it('a secret is named, never shown', () => {
    const e = refusal('mysql --user=x {{params.token}}');
    expect(e.message).toContain('{{params.token}}');
    expect(e.message).not.toContain('secret-token');
  });

  it.each([
    'curl -O -- {{vars.u}}',
    'sudo -n sort -- {{vars.u}} </dev/null',
    'curl --url={{vars.u}}',
    'curl -O x{{vars.u}}',
    "printf '%s\\n' {{vars.u}}",
    'cat > {{vars.u}}',
    'sh -c \'printf "%s" "$1"\' sh {{vars.u}}',
    "python3.11 -c 'import sys; print(sys.argv[1])' {{vars.u}}",
    'curl {{vars.u | raw}}',
    'cat <<EOF\n{{vars.u}}\nEOF',
    'true # {{vars.u}}',
  ])('%s: placed as before', (template) => {
    expect(() => render(template, scope(), 'shell')).not.toThrow();
  });

  it('a value without a leading - is placed as ever; showing a command never refuses', () => {
    expect(render('curl -O {{vars.u}}', scope('http://b/x.sh'), 'shell')).toBe('curl -O http://b/x.sh');
    expect(renderForDisplay('curl -O {{vars.u}}', scope(), 'shell')).toBe(`curl -O '${HOSTILE}'`);
  });
});
