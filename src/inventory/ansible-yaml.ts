// Ansible's YAML inventory: top-level groups (usually `all`), each with `hosts` (a mapping of
// host patterns to their variables), `vars` and `children` (more groups, nested).
import { closest } from '../input/did-you-mean.js';
import { describeValue, formatPath, type YamlDocument, type YamlPath } from '../input/load-yaml.js';
import { problemAt, type Where } from './draft.js';
import { AnsibleModel, type AnsibleVar } from './ansible.js';
import { expandHostPattern, splitHostPort } from './host-pattern.js';
import { showText } from './text.js';

const GROUP_KEYS = ['hosts', 'vars', 'children'];
const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function parseAnsibleYaml(doc: YamlDocument): AnsibleModel {
  const model = new AnsibleModel(doc.file);
  const where = (path: YamlPath, key = false): Where => {
    const place = key ? doc.locateKey(path) : doc.locate(path);
    return { file: doc.file, line: place.line, column: place.column, path: formatPath(path) };
  };
  const error = (path: YamlPath, message: string, key = false): void => {
    model.problems.push(problemAt(where(path, key), message));
  };
  const varsOf = (value: unknown, path: YamlPath, what: string): Map<string, AnsibleVar> => {
    const vars = new Map<string, AnsibleVar>();
    if (value === null || value === undefined) return vars;
    if (!isMapping(value)) {
      error(path, `${what} must be a mapping of variable names to values, found ${describeValue(value)}`);
      return vars;
    }
    for (const [k, v] of Object.entries(value)) vars.set(k, { value: v, at: where([...path, k]) });
    return vars;
  };

  // Groups may repeat (a group under two parents); its body is read each time it is written.
  const readGroup = (name: string, body: unknown, path: YamlPath, depth: number): void => {
    const group = model.group(name, where(path, true));
    if (body === null || body === undefined) return;
    if (!isMapping(body)) {
      error(path, `group ${showText(name)} must be a mapping with hosts, children or vars, found ${describeValue(body)}`);
      return;
    }
    for (const [key, value] of Object.entries(body)) {
      const at = [...path, key];
      if (key === 'vars') for (const [k, v] of varsOf(value, at, `vars of group ${showText(name)}`)) group.vars.set(k, v);
      else if (key === 'hosts') {
        if (value === null || value === undefined) continue;
        if (!isMapping(value)) {
          error(
            at,
            `hosts of group ${showText(name)} must be a mapping of host names to their variables (host: or host: {ansible_host: ...}), found ${describeValue(value)}`,
          );
          continue;
        }
        for (const [pattern, hostVars] of Object.entries(value)) {
          const hostPath = [...at, pattern];
          const { host, port } = splitHostPort(pattern);
          const vars = varsOf(hostVars, hostPath, `the variables of host ${showText(pattern)}`);
          if (port !== undefined && port !== '' && !vars.has('ansible_port'))
            vars.set('ansible_port', { value: port, at: where(hostPath, true) });
          const expanded = host === '' || port === '' ? { problem: `${showText(pattern)} is not a host name` } : expandHostPattern(host);
          if ('problem' in expanded) {
            error(hostPath, expanded.problem, true);
            continue;
          }
          for (const h of expanded.hosts) if (!model.addHost(group, h, where(hostPath, true), vars)) return;
        }
      } else if (key === 'children') {
        if (value === null || value === undefined) continue;
        if (!isMapping(value)) {
          error(at, `children of group ${showText(name)} must be a mapping of group names, found ${describeValue(value)}`);
          continue;
        }
        for (const [child, childBody] of Object.entries(value)) {
          if (child === name) {
            error([...at, child], `group ${showText(name)} cannot be its own child`, true);
            continue;
          }
          model.addChild(group, child, where([...at, child], true));
          if (depth < 50) readGroup(child, childBody, [...at, child], depth + 1);
          else error([...at, child], 'groups are nested more than 50 levels deep', true);
        }
      } else {
        // Ansible skips such keys with a warning; so do we, with a guess at what was meant.
        const guess = key.length <= 64 ? closest(key, GROUP_KEYS) : undefined;
        model.problems.push(
          problemAt(
            where(at, true),
            `unexpected key ${showText(key)} in group ${showText(name)} is ignored; a group has hosts, children and vars${guess ? `: did you mean "${guess}"?` : ''}`,
            'warning',
          ),
        );
      }
    }
  };

  const root = doc.value as Record<string, unknown>;
  for (const [name, body] of Object.entries(root)) readGroup(name, body, [name], 0);
  return model;
}
