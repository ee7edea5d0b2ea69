// Text inputs (an inventory, an ssh config) are read with the same limits and messages as
// runbooks: bounded size, no binary data, UTF-8 only, failures as InputErrors naming the file.
export { readTextFile } from '../runbook/load-yaml.js';
