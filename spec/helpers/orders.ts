/** Our specs build orders as users of the package do: with `stream-processor/testing`. */
export { order, orderLine } from '../../lib/testing.js';
