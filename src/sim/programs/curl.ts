// curl 7.29 (CentOS 7): the requests are answered by the cluster model (http.ts), the output,
// errors and exit codes are curl's.
import { basename, FsFailure } from '../fs.js';
import { httpRequest, type HttpOutcome, parseUrl } from '../http.js';
import type { Program } from '../shell/interpreter.js';
import { has, parseArgs, readInputs, value, values } from './args.js';
import { simHost } from './host.js';

function size(n: number): string {
  if (n < 100_000) return String(n);
  if (n < 10_000_000) return `${Math.round(n / 1024)}k`;
  return `${(n / 1048576).toFixed(1)}M`;
}

function meter(bytes: number): string {
  const s = size(bytes).padStart(5);
  const speed = size(Math.max(bytes * 9, 1)).padStart(5);
  return (
    '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n' +
    '                                 Dload  Upload   Total   Spent    Left  Speed\n' +
    `100 ${s}  100 ${s}    0     0  ${speed}      0 --:--:-- --:--:-- --:--:-- ${speed}\n`
  );
}

const curl: Program = async (ctx) => {
  const host = simHost(ctx);
  const p = parseArgs(ctx.argv.slice(1), {
    flags: 'fsSOkIiLvg#Nq',
    values: 'oHXwdmuAeErK',
    long: {
      fail: 'f',
      silent: 's',
      'show-error': 'S',
      'remote-name': 'O',
      insecure: 'k',
      head: 'I',
      include: 'i',
      location: 'L',
      verbose: 'v',
      output: 'o',
      header: 'H',
      config: 'K',
      request: 'X',
      'write-out': 'w',
      data: 'd',
      'data-raw': 'd',
      'max-time': 'm',
      user: 'u',
      'user-agent': 'A',
      cacert: 'value',
      capath: 'value',
      cert: 'E',
      key: 'value',
      'connect-timeout': 'value',
      retry: 'value',
      'retry-delay': 'value',
      'retry-max-time': 'value',
      compressed: 'flag',
      'http1.1': 'flag',
      tlsv1: 'flag',
      'tlsv1.2': 'flag',
      globoff: 'g',
      'no-buffer': 'N',
      'progress-bar': '#',
      'fail-early': 'flag',
      url: 'value',
    },
  });
  if (p.error) {
    const opt = /'([^']+)'|-- '(.)'/.exec(p.error);
    ctx.io.stderr.write(
      `curl: option ${opt?.[1] ?? `-${opt?.[2] ?? ''}`}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n`,
    );
    return 2;
  }
  const urls = [...p.rest, ...values(p, 'url')];
  if (urls.length === 0) {
    ctx.io.stderr.write("curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information\n");
    return 2;
  }
  const silent = has(p, 's');
  const showError = !silent || has(p, 'S');
  const error = (code: number, message: string): number => {
    if (showError) ctx.io.stderr.write(`curl: (${code}) ${message}\n`);
    return code;
  };
  const headers: Record<string, string> = {};
  // -K FILE (- for standard input): curl's config file; the runbooks pass secret headers this way,
  // so that no process list shows them. Only header lines are modelled.
  const configured: string[] = [];
  for (const file of values(p, 'K')) {
    const { inputs, failed } = await readInputs(ctx, [file], 'curl');
    if (failed) return error(26, `read function returned funny value`);
    for (const line of inputs.flatMap((input) => input.text.split('\n'))) {
      const m = /^\s*(?:--)?(?:header|H)\s*[=:]?\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(line);
      if (m) configured.push(m[1]!.replace(/\\(.)/g, '$1'));
    }
  }
  for (const h of [...configured, ...values(p, 'H')]) {
    const i = h.indexOf(':');
    if (i > 0) headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  let cacert: string | null = null;
  const cacertPath = value(p, 'cacert');
  if (cacertPath !== undefined) {
    try {
      cacert = ctx.sh.host.fs.read(ctx.sh.resolve(cacertPath), ctx.sh.user);
    } catch (e) {
      if (!(e instanceof FsFailure)) throw e;
      return error(77, `Problem with the SSL CA cert (path? access rights?)`);
    }
  }
  const head = has(p, 'I');
  const method = value(p, 'X') ?? (head ? 'HEAD' : has(p, 'd') ? 'POST' : 'GET');
  let status = 0;
  let outputs = values(p, 'o');
  for (const raw of urls) {
    let url = raw;
    let outcome: HttpOutcome = httpRequest(host.model, host.node.info, { method, url, headers, insecure: has(p, 'k'), cacert });
    for (let hops = 0; has(p, 'L') && outcome.kind === 'response' && outcome.status >= 300 && outcome.status < 400 && hops < 5; hops++) {
      const loc = outcome.headers.find(([k]) => k === 'Location')?.[1];
      if (!loc) break;
      url = loc.startsWith('//') ? `${parseUrl(url)?.scheme ?? 'http'}:${loc}` : loc;
      outcome = httpRequest(host.model, host.node.info, { method, url, headers, insecure: has(p, 'k'), cacert });
    }
    if (has(p, 'v')) {
      const u = parseUrl(url);
      ctx.io.stderr.write(`* About to connect() to ${u?.host} port ${u?.port} (#0)\n*   Trying ${u?.host}...\n`);
      if (outcome.kind === 'response')
        ctx.io.stderr.write(
          `* Connected to ${u?.host} (${u?.host}) port ${u?.port} (#0)\n> ${method} ${u?.path} HTTP/1.1\n> User-Agent: curl/7.29.0\n> Host: ${u?.host}:${u?.port}\n> Accept: */*\n>\n< HTTP/1.1 ${outcome.status} ${outcome.reason}\n`,
        );
    }
    if (outcome.kind === 'error') {
      status = error(outcome.code, outcome.message);
      continue;
    }
    if (has(p, 'f') && outcome.status >= 400) {
      if (!silent) ctx.io.stderr.write(meter(0));
      status = error(22, `The requested URL returned error: ${outcome.status} ${outcome.reason}`);
      continue;
    }
    const date = new Date(host.clock.now()).toUTCString();
    const headerText = `HTTP/1.1 ${outcome.status} ${outcome.reason}\r\n${[...outcome.headers, ['Date', date] as [string, string]].map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    const body = head ? '' : outcome.body;
    const printed = (has(p, 'i') || head ? headerText : '') + body;
    let target: string | undefined;
    if (has(p, 'O')) {
      const name = basename(parseUrl(url)?.path.split('?')[0] ?? '');
      if (!name || name === '/') {
        ctx.io.stderr.write('curl: Remote file name has no length!\n');
        status = 23;
        continue;
      }
      target = name;
    } else if (outputs.length > 0) {
      target = outputs[0];
      outputs = outputs.slice(1);
    }
    if (target !== undefined && target !== '-') {
      const path = ctx.sh.resolve(target);
      try {
        ctx.sh.host.fs.write(path, printed, ctx.sh.user, false, outcome.program);
        if (outcome.program) {
          const entry = ctx.sh.host.fs.mutable(path);
          if (entry?.kind === 'file') entry.mode = 0o644;
        }
      } catch (e) {
        if (!(e instanceof FsFailure)) throw e;
        ctx.io.stderr.write(`Warning: Failed to create the file ${target}: ${e.reason}\n`);
        status = error(23, `Failed writing body (0 != ${Buffer.byteLength(printed)})`);
        continue;
      }
      if (!silent) ctx.io.stderr.write(meter(Buffer.byteLength(body)));
    } else {
      if (!silent && !head) ctx.io.stderr.write(meter(Buffer.byteLength(body)));
      ctx.io.stdout.write(printed);
    }
    const w = value(p, 'w');
    if (w !== undefined) {
      ctx.io.stdout.write(
        w
          .replace(/%\{http_code\}|%\{response_code\}/g, String(outcome.status))
          .replace(/%\{size_download\}/g, String(Buffer.byteLength(body)))
          .replace(/%\{content_type\}/g, outcome.headers.find(([k]) => k === 'Content-Type')?.[1] ?? '')
          .replace(/%\{url_effective\}/g, url)
          .replace(/%\{time_total\}/g, '0.004')
          .replace(/\\n/g, '\n'),
      );
    }
  }
  return status;
};

export const curlPrograms: [string, Program][] = [['curl', curl]];
