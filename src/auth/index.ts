export {
  type OAuth1HeaderInput,
  type OAuth1Params,
  oauth1Header,
  oauth1Signature,
  oauth1SignatureBaseString,
  parseOAuth1Header,
  percentEncode,
} from './oauth1.js';
export { MemorySessionCache, type SessionCache, sessionCacheKey } from './session-cache.js';
