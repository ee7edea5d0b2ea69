// PDF by printing our own HTML with a Chromium-family browser found on this machine: the page
// already says its paper (@page) and its fonts (a CJK family for Chinese). The browser runs
// headless, with a fresh profile in a temporary directory, no network of its own, a time limit,
// and everything it started is killed and removed afterwards.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './errors.js';

/** Looked for on PATH, in this order, when neither --browser nor the setting names one. */
export const BROWSER_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'] as const;

/** How long printing may take before the browser is killed. */
export const PRINT_TIMEOUT_MS = 60_000;

async function executable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The browser to print with: the one named (by --browser, else the `browser` setting), else the
 * first of BROWSER_NAMES on PATH. None is bad input (exit 2) with a sentence saying how to get one.
 */
export async function findBrowser(
  named: { value: string; origin: string } | undefined,
  env: NodeJS.ProcessEnv,
  command: string,
): Promise<string> {
  if (named) {
    const file = named.value.includes('/') ? named.value : await onPath(named.value, env);
    if (file && (await executable(file))) return file;
    throw new UsageError(
      `${named.origin} names "${named.value}", which is not an executable program; name a Chromium-family browser (chromium, google-chrome)`,
      command,
    );
  }
  for (const name of BROWSER_NAMES) {
    const file = await onPath(name, env);
    if (file) return file;
  }
  throw new UsageError(
    `--format pdf prints with a Chromium-family browser, and none was found (looked for ${BROWSER_NAMES.join(', ')} on PATH). ` +
      'Install one (Debian or Ubuntu: sudo apt-get install chromium fonts-noto-cjk), or name one with --browser PATH or `runbook config set browser PATH`; ' +
      'or write --format html and print that from any browser.',
    command,
  );
}

async function onPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (await executable(file)) return file;
  }
  return undefined;
}

/** The browser's arguments: headless, a fresh profile, nothing fetched or synced, sandboxed unless root. */
export function printArgs(options: { profile: string; pdf: string; url: string; root: boolean }): string[] {
  return [
    '--headless',
    // Chromium refuses to run as root with its sandbox on; only then is it turned off.
    ...(options.root ? ['--no-sandbox'] : []),
    '--disable-gpu',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-extensions',
    `--user-data-dir=${options.profile}`,
    '--no-pdf-header-footer',
    `--print-to-pdf=${options.pdf}`,
    options.url,
  ];
}

/** The PDF of an HTML page, with the browser --browser or the setting names, or one on PATH. */
export async function htmlToPdf(html: string, flag: unknown, io: { env: NodeJS.ProcessEnv }, command: string): Promise<Buffer> {
  const { loadSettings } = await import('../config/settings.js');
  const setting = loadSettings(io.env).browser;
  const named =
    typeof flag === 'string'
      ? { value: flag, origin: '--browser' }
      : setting
        ? { value: setting, origin: 'the browser setting' }
        : undefined;
  return printPdf(html, await findBrowser(named, io.env, command), { env: io.env });
}

/** Prints the HTML to PDF with the browser; resolves to the PDF's bytes. */
export async function printPdf(html: string, browser: string, options: { timeoutMs?: number; env: NodeJS.ProcessEnv }): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'runbook-pdf-'));
  try {
    const page = path.join(dir, 'page.html');
    const pdf = path.join(dir, 'page.pdf');
    await writeFile(page, html);
    const args = printArgs({ profile: path.join(dir, 'profile'), pdf, url: pathToFileURL(page).href, root: process.getuid?.() === 0 });
    // Its own process group, so the helpers it starts (zygote, renderer, crash handler) are killed with it.
    const child = spawn(browser, args, {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...options.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_CACHE_HOME: dir },
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const limit = options.timeoutMs ?? PRINT_TIMEOUT_MS;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, limit);
    const exit = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, error }));
      child.once('exit', (code) => resolve({ code }));
    });
    clearTimeout(timer);
    killGroup();
    if (exit.error) throw new Error(`cannot start ${browser}: ${exit.error.message}`);
    if (timedOut) throw new Error(`${browser} did not finish printing within ${Math.round(limit / 1000)} s; it was stopped`);
    const bytes = await readFile(pdf).catch(() => undefined);
    if (exit.code !== 0 || !bytes || bytes.subarray(0, 4).toString('latin1') !== '%PDF') {
      const last = stderr
        .trim()
        .split('\n')
        .filter((l) => !/^\[\d+:\d+:/.test(l) || /ERROR|FATAL/.test(l))
        .slice(-3)
        .join(' / ');
      throw new Error(`${browser} did not print a PDF (exit ${exit.code ?? 'by signal'})${last ? `: ${last}` : ''}`);
    }
    return bytes;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
