// The troubleshooting pane keeps its lines as the runner keeps a node's output: bounded in count
// and in bytes. One implementation, in the engine.
export { LineRing, lineBytes, type LineRingOptions } from '../../engine/output.js';
