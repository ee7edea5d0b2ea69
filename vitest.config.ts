import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Integration tests start real sshd and tmux servers: give them room, but never hang CI.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
