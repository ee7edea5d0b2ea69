import { expect, it } from 'vitest';
import { loadRunbook } from '../../src/runbook/load.js';
import { formatProblem } from '../../src/runbook/problem.js';

it.each(['runbooks/dcos-1.11-patch.yaml'])('%s loads', async (file) => {
  try {
    const r = await loadRunbook(file);
    expect(r.warnings.map(formatProblem)).toEqual([]);
  } catch (e) {
    expect(String(e)).toBe('');
  }
});
