export { MemorySessionCache, type SessionCache, sessionCacheKey } from './session-cache.js';
