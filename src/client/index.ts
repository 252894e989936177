export { AbmClient } from './abm-client.js';
export { MAX_SERIALS_PER_REQUEST } from './batch.js';
export { type NodeHttpFetch, type NodeHttpFetchOptions, nodeHttpFetch } from './node-http-fetch.js';
export {
  type AbmClientOptions,
  DEFAULT_BASE_URL,
  DEFAULT_PROTOCOL_VERSION,
  type RequestOptions,
  type RetryOptions,
} from './options.js';
