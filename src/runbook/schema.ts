// The runbook format: one TypeBox source gives both the TypeScript types and the published
// JSON Schema (docs/runbook.schema.json is generated from here; a test fails if it drifts).
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const doc = <T extends TSchema>(schema: T, description: string): T => ({ ...schema, description }) as T;

export const Id = doc(
  Type.String({ pattern: '^[a-z0-9][a-z0-9._-]*$', maxLength: 80 }),
  'A stable identifier: lower case letters, digits, dot, dash, underscore. Journals and reports refer to it.',
);

export const Duration = doc(
  Type.String({ pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)(\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h))*\\s*$' }),
  'A duration such as 500ms, 10s, 15m, 1h or 1m30s.',
);

export const Condition = doc(
  Type.String({ minLength: 1 }),
  'A condition on params and vars, e.g. "params.security == \'strict\'" or "vars.patch_url != \'\'".',
);

export const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

/** A check on a command's result; `expect` and `until` take one check or a list that must all hold. */
export const ExitCheck = Type.Object(
  { exit: doc(Type.Integer({ minimum: 0, maximum: 255 }), 'The exit status the command must return.') },
  { additionalProperties: false },
);
export const RegexCheck = Type.Object(
  {
    regex: doc(Type.String({ minLength: 1 }), 'A regular expression (JavaScript syntax, multiline) the output must match.'),
    not: Type.Optional(doc(Type.Boolean(), 'When true, the output must NOT match.')),
  },
  { additionalProperties: false },
);
export const JsonCheck = Type.Object(
  {
    json: doc(
      Type.String({ minLength: 1 }),
      'A key in the JSON output. A key that exists as written (Mesos metrics such as registrar/log/recovered) wins; otherwise "/" walks into nested objects.',
    ),
    equals: doc(Scalar, 'The value the key must have; numbers compare numerically (1 equals 1.0).'),
  },
  { additionalProperties: false },
);
export const ColumnCheck = Type.Object(
  {
    column: doc(Type.String({ minLength: 1 }), 'A column of a text table in the output (| or whitespace separated), by header name.'),
    all: doc(Scalar, 'Every row of the column must have this value.'),
  },
  { additionalProperties: false },
);
export const BuiltinCheck = Type.Object(
  {
    builtin: doc(Type.String({ minLength: 1 }), 'The name of a built-in check, e.g. dcos/patch-path or dcos/config-change.'),
    with: Type.Optional(
      doc(
        Type.Record(Type.String(), Type.Union([Scalar, Type.Array(Scalar)])),
        'Arguments of the built-in check; strings are interpolated.',
      ),
    ),
  },
  { additionalProperties: false },
);
export const Check = Type.Union([ExitCheck, RegexCheck, JsonCheck, ColumnCheck]);
export const Checks = Type.Union([Check, Type.Array(Check, { minItems: 1 })]);

export const Param = Type.Object(
  {
    prompt: Type.Optional(doc(Type.String(), 'The question asked when no value is given on the command line.')),
    description: Type.Optional(Type.String()),
    default: Type.Optional(Scalar),
    pattern: Type.Optional(doc(Type.String(), 'A regular expression the value must match.')),
    choices: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
    secret: Type.Optional(doc(Type.Boolean(), 'Never written to the journal, the screen history or an export; asked without echo.')),
    env: Type.Optional(doc(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), 'An environment variable the value is read from.')),
    when: Type.Optional(doc(Condition, 'Ask only when this holds.')),
  },
  { additionalProperties: false },
);

export const TroubleshootCommand = Type.Object(
  {
    title: Type.String({ minLength: 1 }),
    run: doc(Type.String({ minLength: 1 }), 'The command, run on the selected node.'),
    follow: Type.Optional(doc(Type.String(), 'A variant that streams live (e.g. journalctl -f), used when following.')),
    why: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const HealthProbe = Type.Object(
  {
    run: Type.String({ minLength: 1 }),
    expect: Checks,
    every: Type.Optional(Duration),
    timeout: Type.Optional(Duration),
    when: Type.Optional(doc(Condition, 'Probe only when this holds (e.g. http in one security mode, https with a token in another).')),
  },
  { additionalProperties: false },
);

export const Role = Type.Object(
  {
    title: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    troubleshoot: Type.Optional(Type.Array(TroubleshootCommand)),
    health: Type.Optional(
      doc(
        Type.Union([HealthProbe, Type.Array(HealthProbe, { minItems: 1 })]),
        'A background probe shown in the node grid; a list when probes differ by `when` (the first that applies is used).',
      ),
    ),
  },
  { additionalProperties: false },
);

export const Confirm = Type.Union([
  Type.Boolean(),
  Type.String({ minLength: 1 }),
  Type.Object(
    {
      text: Type.Optional(doc(Type.String({ minLength: 1 }), 'What the operator confirms; interpolated.')),
      typed: Type.Optional(
        doc(Type.String({ minLength: 1 }), 'The operator must type this text (interpolated, e.g. "{{node.name}}") to confirm.'),
      ),
    },
    { additionalProperties: false },
  ),
]);

export const Deadline = Type.Union([
  Duration,
  Type.Object(
    {
      after: Duration,
      text: Type.Optional(doc(Type.String(), 'What happens when the countdown ends, shown with it.')),
      answered_by: Type.Optional(
        doc(
          Type.Union([Id, Type.Array(Id, { minItems: 1 })]),
          'The later step (or steps) of the same section whose passing on the node ends the countdown, e.g. the gate that sees an agent registered again. Without it the countdown runs until the node finishes the section.',
        ),
      ),
    },
    { additionalProperties: false },
  ),
]);

export const Capture = Type.Union([
  doc(Type.String(), 'A regular expression; its first group goes into vars.NAME.'),
  Type.Object(
    {
      regex: doc(Type.String(), 'A regular expression; its first group goes into vars.NAME.'),
      shape: Type.Optional(
        doc(
          Type.Union([
            Type.Literal('url'),
            Type.Literal('host'),
            Type.Literal('version'),
            Type.Literal('integer'),
            Type.Literal('word'),
            Type.Literal('path'),
          ]),
          'The shape the value must have, or the step fails: the value comes from a node and is untrusted.',
        ),
      ),
      pattern: Type.Optional(doc(Type.String(), 'A regular expression the whole value must match, or the step fails.')),
    },
    { additionalProperties: false },
  ),
]);

export const Step = Type.Object(
  {
    id: Id,
    title: Type.Optional(Type.String()),
    why: Type.Optional(doc(Type.String(), 'Why this step exists; shown in training and in exports.')),
    text: Type.Optional(doc(Type.String(), 'Text shown to the operator (a note, a guideline).')),
    checklist: Type.Optional(doc(Type.Array(Type.String(), { minItems: 1 }), 'Manual checklist items, each acknowledged.')),
    run: Type.Optional(doc(Type.String({ minLength: 1 }), 'A shell command (/bin/sh on the node); interpolated values are shell-quoted.')),
    env: Type.Optional(
      doc(
        Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), { additionalProperties: false }),
        'NAME: value (interpolated as text) for the command, which reads it as "$NAME": never code, never in a command line.',
      ),
    ),
    check: Type.Optional(doc(BuiltinCheck, 'A built-in check run instead of (or after) a command.')),
    destructive: Type.Optional(doc(Type.Boolean(), 'Never runs without a confirmation that names the command and the node.')),
    confirm: Type.Optional(doc(Confirm, 'Ask the operator before continuing; a string is the confirmation text.')),
    expect: Type.Optional(doc(Checks, 'Must hold after the command, or the step fails.')),
    until: Type.Optional(doc(Checks, 'Re-run the command every `every` until this holds, or fail at `timeout`.')),
    every: Type.Optional(Duration),
    timeout: Type.Optional(doc(Duration, 'For a command: the longest one attempt may take. With until: how long to keep polling.')),
    deadline: Type.Optional(doc(Deadline, 'A limit shown as a countdown from the step start (e.g. 5m agent expiry).')),
    capture: Type.Optional(
      doc(
        // additionalProperties: editors flag a name the pattern refuses (a Record alone lets it pass).
        Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Capture, { additionalProperties: false }),
        'name: regular expression, or { regex, shape, pattern }; its first group goes into vars.name.',
      ),
    ),
    when: Type.Optional(doc(Condition, 'Run only when this holds; otherwise the step is skipped and says why.')),
    troubleshoot: Type.Optional(doc(Type.String(), 'The title of the role troubleshooting command to open when this step fails.')),
    hint: Type.Optional(doc(Type.String(), 'Shown in training when the step fails.')),
  },
  { additionalProperties: false },
);

export const Strategy = Type.Union([
  Type.Literal('serial'),
  Type.Literal('parallel'),
  Type.Object(
    {
      batch: Type.Union([
        Type.Integer({ minimum: 1 }),
        doc(
          Type.String({ pattern: '^\\{\\{\\s*params\\.[A-Za-z_][A-Za-z0-9_]*\\s*\\}\\}$' }),
          'A param holding the batch size, e.g. "{{params.agent_batch}}": the operator chooses it; the run stops if it is not a whole number of at least 1.',
        ),
      ]),
    },
    { additionalProperties: false },
  ),
]);

export const Section = Type.Object(
  {
    id: Id,
    title: Type.String({ minLength: 1 }),
    why: Type.Optional(Type.String()),
    text: Type.Optional(Type.String()),
    on: Type.Optional(
      doc(
        Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })]),
        'A role, a list of roles, or local (the default).',
      ),
    ),
    strategy: Type.Optional(
      doc(
        Strategy,
        'serial: one node through all steps, then the next; parallel: all nodes (up to concurrency) at once; batch: N nodes at a time.',
      ),
    ),
    concurrency: Type.Optional(doc(Type.Integer({ minimum: 1 }), 'For parallel: the most nodes at once (default 50).')),
    max_failures: Type.Optional(
      doc(Type.Integer({ minimum: 0 }), 'Failed nodes tolerated before the section stops (default 0: the first stops it).'),
    ),
    optional: Type.Optional(
      doc(
        Type.Boolean(),
        'The section may have no node in the inventory (e.g. public agents, which many clusters lack): then it is skipped instead of refusing the inventory.',
      ),
    ),
    when: Type.Optional(Condition),
    steps: Type.Array(Step, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export const Runbook = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    id: Id,
    title: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    lang: Type.Optional(doc(Type.String(), 'The language of the text (e.g. en, zh-CN); exports use it.')),
    header: Type.Optional(
      doc(
        Type.Record(Type.String(), Type.String()),
        'Header fields shown in the UI, interpolated (e.g. from: "{{params.installed_version}}").',
      ),
    ),
    params: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Param, { additionalProperties: false })),
    roles: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Role)),
    step_timeout: Type.Optional(
      doc(
        Duration,
        'The longest one run of a command may take when its step gives no timeout (default 30m); then it is stopped and the step fails, outcome unknown.',
      ),
    ),
    sections: Type.Array(Section, { minItems: 1 }),
  },
  { additionalProperties: false, $id: 'https://runbook.dev/schema/runbook.schema.json', title: 'runbook' },
);

export type Duration = Static<typeof Duration>;
export type Scalar = Static<typeof Scalar>;
export type ExitCheck = Static<typeof ExitCheck>;
export type RegexCheck = Static<typeof RegexCheck>;
export type JsonCheck = Static<typeof JsonCheck>;
export type ColumnCheck = Static<typeof ColumnCheck>;
export type Check = Static<typeof Check>;
export type Checks = Static<typeof Checks>;
export type BuiltinCheck = Static<typeof BuiltinCheck>;
export type Param = Static<typeof Param>;
export type TroubleshootCommand = Static<typeof TroubleshootCommand>;
export type HealthProbe = Static<typeof HealthProbe>;
export type Role = Static<typeof Role>;
export type Confirm = Static<typeof Confirm>;
export type Deadline = Static<typeof Deadline>;
export type Capture = Static<typeof Capture>;
export type Step = Static<typeof Step>;
export type Strategy = Static<typeof Strategy>;
export type Section = Static<typeof Section>;
export type Runbook = Static<typeof Runbook>;
