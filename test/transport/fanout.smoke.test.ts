// Keeps bench/fanout.ts runnable: the benchmark at a tiny size. The real numbers come from the
// bench runner (200 nodes, concurrency 50, sleep 1; target under 1.3x the ideal 4 s).
import { describe, expect, it } from 'vitest';
import { run } from '../../bench/fanout.js';
import { sshdMissing } from '../helpers/sshd.js';

const missing = sshdMissing();

describe.skipIf(missing)(`fan-out benchmark, tiny${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('runs a short command on 12 nodes, 4 at a time, over 2 servers', async () => {
    const r = await run({ nodes: 12, concurrency: 4, seconds: 0.3, servers: 2 });
    expect(r.cold.failed).toBe(0);
    expect(r.warm.failed).toBe(0);
    expect(r.cold.idealMs).toBe(900);
    // Loose bounds: at this size connection set-up dominates; the target is checked at full size.
    expect(r.warm.ratio).toBeGreaterThanOrEqual(1);
    expect(r.warm.ratio).toBeLessThan(3);
    // Through the player: a pre-flight first, then the step on every node.
    expect(r.player.failed).toBe(0);
    expect(r.player.preflightMs).toBeGreaterThan(0);
    expect(r.player.stepRatio).toBeGreaterThanOrEqual(1);
  });
});
