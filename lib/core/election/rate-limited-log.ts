// RateLimitedLog moved to lib/core/rate-limited-log.ts when the transport came to need it (the
// transport sits below election/ and imports nothing from it); this path stays for old imports.
export { RateLimitedLog } from '../rate-limited-log.js';
