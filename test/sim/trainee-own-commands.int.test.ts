// What the trainee does by hand on a node (a login shell, the player's `o`) reaches the trainee's
// report: the libltdl scenario over real SSH, the fault met at the first rm, the fix typed by hand.
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traineeReportFile } from '../../src/cli/train.js';
import { traineeReport } from '../../src/export/trainee-report.js';
import { startSimulator, type SimCluster } from '../../src/sim/index.js';

let sim: SimCluster;
beforeAll(async () => {
  sim = await startSimulator({ scenario: 'libltdl', masters: 1, agents: 2, timeScale: 50 });
}, 60_000);
afterAll(async () => {
  await sim?.close();
});

/** Types each line into a login shell on the node and waits for its prompt to come back. */
async function typeIn(node: string, lines: string[]): Promise<string> {
  const target = sim.inventory.nodes.find((n) => n.name === node)!;
  const want = sim.inventory.knownHosts!.find((l) => l.startsWith(`[${target.address}]:${target.port} `))!.split(' ')[2];
  const client = new ssh2.Client();
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the shell did not answer in time')), 20_000);
      client.on('ready', () => {
        client.shell({ term: 'xterm' }, (err, stream) => {
          if (err) return reject(err);
          let out = '';
          let sent = 0;
          stream.on('data', (d: Buffer) => {
            out += d.toString();
            const prompts = out.split(`@${node} `).length - 1;
            if (prompts > sent && sent < lines.length) stream.write(`${lines[sent++]}\r`);
            else if (prompts > lines.length) {
              clearTimeout(timer);
              resolve(out);
            }
          });
        });
      });
      client.on('error', reject);
      client.connect({
        host: target.address,
        port: target.port,
        username: 'dcos',
        privateKey: readFileSync(sim.files.identityFile),
        hostVerifier: (key: Buffer) => key.toString('base64') === want,
        readyTimeout: 10_000,
      });
    });
  } finally {
    client.end();
  }
}

describe("the trainee's own commands", () => {
  it('the report names the libltdl fault and the fix typed in a login shell (lsattr, chattr -i)', async () => {
    const lib = '/opt/mesosphere/lib/libltdl.so.7';
    const out = await typeIn('agent-1', [`sudo rm -f ${lib}`, `lsattr ${lib}`, `sudo chattr -i ${lib}`, `sudo rm -f ${lib}`, `ls ${lib}`]);
    expect(out).toContain('Operation not permitted');
    expect(out).toContain('No such file or directory');
    const summary = sim.model.summary();
    const report = traineeReport({ scenario: sim.scenario, records: [], summary, outcome: 'passed' });
    const fault = report.split('Faults met, and what you did:\n')[1]!.split('\n\n')[0]!;
    expect(fault).toContain(`agent-1: ${lib} carried the immutable attribute`);
    expect(fault).toContain(`you ran on the node: lsattr ${lib}`);
    expect(fault).toContain(`you ran on the node: sudo chattr -i ${lib}`);
    // In the order typed: the look, then the fix, then the removal.
    expect(fault.indexOf('lsattr')).toBeLessThan(fault.indexOf('chattr -i'));
    // The other agent was never touched: nothing is reported for it.
    expect(report).not.toContain('agent-2:');
  }, 60_000);

  it('is saved beside the journal', () => {
    expect(traineeReportFile('/state/runs/20261206-120000-ab12.jsonl')).toBe('/state/runs/20261206-120000-ab12.trainee.md');
  });
});
