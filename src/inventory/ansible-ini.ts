// Ansible's INI inventory, as ansible-inventory reads it: [group], [group:vars],
// [group:children], host lines with key=value variables (shell-style quoting), host ranges,
// host:port, and comments starting with # or ;. Every problem names file:line:column.
import { problemAt, type Where } from './draft.js';
import { AnsibleModel, type AnsibleGroup, type AnsibleVar } from './ansible.js';
import { expandHostPattern, splitHostPort } from './host-pattern.js';
import { splitWords } from './ssh-args.js';
import { showText } from './text.js';

/** Stop collecting after this many problems: a file that is not an inventory at all. */
const MAX_PROBLEMS = 100;

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:[#;].*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:[#;].*)?$/;

/** A value of a [group:vars] line: Ansible reads it as a Python literal; quotes come off. */
function unquote(raw: string): string {
  const m = /^(['"])(.*)\1$/s.exec(raw);
  if (!m) return raw;
  return m[2]!.replace(/\\(['"\\])/g, '$1');
}

export function parseAnsibleIni(text: string, file: string): AnsibleModel {
  const model = new AnsibleModel(file);
  const lines = text.split(/\r\n|\n|\r/);
  let section: { kind: 'hosts' | 'vars' | 'children' | 'skip'; group: AnsibleGroup } = {
    kind: 'hosts',
    group: model.group('ungrouped', { file }),
  };
  const error = (at: Where, message: string): void => {
    model.problems.push(problemAt(at, message));
  };

  let index = 0;
  for (; index < lines.length && model.problems.length < MAX_PROBLEMS; index++) {
    const line = lines[index]!;
    const indent = line.search(/\S/);
    if (indent === -1) continue;
    const content = line.slice(indent).trimEnd();
    if (content.startsWith('#') || content.startsWith(';')) continue;
    const at: Where = { file, line: index + 1, column: indent + 1 };

    if (content.startsWith('[')) {
      const m = SECTION.exec(content);
      if (!m) {
        error(at, `${showText(content)} is not a section header; write [group], [group:vars] or [group:children]`);
        section = { kind: 'skip', group: section.group };
        continue;
      }
      const group = model.group(m[1]!, at);
      const kind = m[2] ?? 'hosts';
      if (kind === 'hosts' || kind === 'vars' || kind === 'children') section = { kind, group };
      else {
        error(
          { ...at, column: at.column! + m[1]!.length + 2 },
          `unknown section type ":${kind}"; a section is [group], [group:vars] or [group:children]`,
        );
        section = { kind: 'skip', group };
      }
      continue;
    }

    switch (section.kind) {
      case 'skip':
        break;
      case 'children': {
        const m = GROUP_NAME.exec(content);
        if (!m) error(at, `expected a group name in [${section.group.name}:children], found ${showText(content)}`);
        else if (m[1] === section.group.name) error(at, `group ${showText(m[1]!)} cannot be its own child`);
        else model.addChild(section.group, m[1]!, at);
        break;
      }
      case 'vars': {
        const eq = content.indexOf('=');
        if (eq <= 0) {
          error(at, `expected key=value in [${section.group.name}:vars], found ${showText(content)}`);
          break;
        }
        const key = content.slice(0, eq).trim();
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
          error(at, `${showText(key)} is not a variable name (letters, digits and _)`);
          break;
        }
        const valueColumn = indent + eq + 2 + (content.slice(eq + 1).length - content.slice(eq + 1).trimStart().length);
        section.group.vars.set(key, { value: unquote(content.slice(eq + 1).trim()), at: { ...at, column: valueColumn } });
        break;
      }
      case 'hosts': {
        const { words, error: quoteError } = splitWords(content, true);
        if (quoteError) {
          error(at, `${quoteError} on this host line`);
          break;
        }
        const [first, ...rest] = words;
        if (!first) break;
        const { host: pattern, port } = splitHostPort(first.text);
        if (pattern === '' || port === '') {
          error(
            at,
            `${showText(first.text)} is not a host name${port === '' ? ' (it ends with ":"; add the port or remove the colon)' : ''}`,
          );
          break;
        }
        const vars = new Map<string, AnsibleVar>();
        if (port !== undefined)
          vars.set('ansible_port', { value: port, at: { ...at, column: indent + first.offset + first.text.length - port.length + 1 } });
        let bad = false;
        for (const word of rest) {
          const wordAt: Where = { ...at, column: indent + word.offset + 1 };
          const eq = word.text.indexOf('=');
          if (eq <= 0) {
            error(wordAt, `expected key=value after the host name, found ${showText(word.text)}`);
            bad = true;
            break;
          }
          const key = word.text.slice(0, eq);
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
            error(wordAt, `${showText(key)} is not a variable name (letters, digits and _)`);
            bad = true;
            break;
          }
          vars.set(key, { value: word.text.slice(eq + 1), at: wordAt });
        }
        if (bad) break;
        const expanded = expandHostPattern(pattern);
        if ('problem' in expanded) {
          error(at, expanded.problem);
          break;
        }
        for (const name of expanded.hosts) if (!model.addHost(section.group, name, at, vars)) break;
        break;
      }
    }
  }
  if (model.problems.length >= MAX_PROBLEMS) {
    model.problems.push(problemAt({ file, line: index + 1 }, `stopped after ${MAX_PROBLEMS} problems; is this an Ansible inventory?`));
  }
  return model;
}
