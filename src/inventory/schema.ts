// The YAML inventory format: one TypeBox source gives the TypeScript types of the file and the
// JSON Schema editors use (docs/inventory.schema.json, written by schema-file.ts; a test fails
// when it drifts). Ansible inventories and ~/.ssh/config are read as they stand, not through this.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const doc = <T extends TSchema>(schema: T, description: string): T => ({ ...schema, description }) as T;

export const Port = doc(Type.Integer({ minimum: 1, maximum: 65535 }), "The SSH port (default 22, or the ssh config's Port).");

export const Jump = doc(
  Type.String({ minLength: 1 }),
  'A jump host (ssh -J): the name of another node of this inventory, or [user@]host[:port]. An ssh config Host alias works too.',
);

export const IdentityFile = doc(
  Type.String({ minLength: 1 }),
  'The private key to log in with; ~ is the home directory, a relative path is relative to the inventory file.',
);

export const Role = doc(
  Type.String({ minLength: 1 }),
  'bootstrap, master, agent, public_agent, or any word a runbook targets with `on:`. "public agent", "public-agent" and "slave_public" mean public_agent; "slave" means agent.',
);

export const InventoryDefaults = Type.Object(
  {
    user: Type.Optional(doc(Type.String({ minLength: 1 }), 'The SSH user for nodes that name none.')),
    identity_file: Type.Optional(IdentityFile),
    port: Type.Optional(Port),
    jump: Type.Optional(Jump),
  },
  { additionalProperties: false, description: 'Values for every node that does not set its own.' },
);

export const InventoryNodeEntry = Type.Object(
  {
    name: doc(
      Type.String({ minLength: 1, maxLength: 253, pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f]+$' }),
      'Unique within the inventory; shown on screen and recorded in the journal.',
    ),
    address: Type.Optional(
      doc(
        Type.String({ minLength: 1 }),
        'The host name or IP address to connect to. Required, unless the name is a Host alias in ~/.ssh/config with a HostName.',
      ),
    ),
    ip: Type.Optional(
      doc(Type.String({ minLength: 1 }), 'The private IP the cluster knows the node by ({{node.ip}}); defaults to the address.'),
    ),
    roles: Type.Optional(doc(Type.Array(Role), 'What the node is; sections target roles with `on:`.')),
    user: Type.Optional(doc(Type.String({ minLength: 1 }), 'The SSH user.')),
    port: Type.Optional(Port),
    identity_file: Type.Optional(IdentityFile),
    jump: Type.Optional(Jump),
    host_key_alias: Type.Optional(
      doc(Type.String({ minLength: 1 }), "The name to look up in known_hosts instead of the address (like ssh's HostKeyAlias)."),
    ),
    vars: Type.Optional(
      doc(
        Type.Record(Type.String({ minLength: 1 }), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
        'Free-form values a runbook interpolates as {{node.vars.NAME}}.',
      ),
    ),
  },
  { additionalProperties: false },
);

export const InventoryFile = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.Optional(doc(Type.String(), "The cluster's name, shown in the header.")),
    defaults: Type.Optional(InventoryDefaults),
    known_hosts: Type.Optional(
      doc(
        Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })]),
        "known_hosts files holding these nodes' host keys, checked before ~/.ssh/known_hosts (like ssh's UserKnownHostsFile); relative to the inventory.",
      ),
    ),
    nodes: doc(Type.Array(InventoryNodeEntry, { minItems: 1 }), 'The machines, in the order they are shown.'),
  },
  {
    additionalProperties: false,
    $id: 'https://runbook.dev/schema/inventory.schema.json',
    title: 'runbook inventory',
    description: 'The nodes a runbook plays against. Ansible INI and YAML inventories are accepted too (see docs/inventory.md).',
  },
);

export type InventoryDefaults = Static<typeof InventoryDefaults>;
export type InventoryNodeEntry = Static<typeof InventoryNodeEntry>;
export type InventoryFile = Static<typeof InventoryFile>;

/** The keys each object of the format accepts, read from the schema so they cannot drift. */
export const FILE_KEYS = Object.keys(InventoryFile.properties);
export const DEFAULTS_KEYS = Object.keys(InventoryDefaults.properties);
export const NODE_KEYS = Object.keys(InventoryNodeEntry.properties);
