export type { ServerToken } from './server-token.js';
