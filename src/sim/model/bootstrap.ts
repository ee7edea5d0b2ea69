// What the bootstrap node holds beyond its files: the node patch scripts the installer generated,
// and the containers started there (nginx serving genconf/serve).
import type { BakedConfig } from './config.js';

/** A generated node upgrade script, by the hex id in its URL. */
export interface GeneratedScript {
  id: string;
  from: string;
  to: string;
  baked: BakedConfig;
  at: number;
}

export interface Container {
  id: string;
  image: string;
  hostPort: number;
  /** The host directory mounted as nginx's html root. */
  mount: string;
  startedAt: number;
  name: string;
}
