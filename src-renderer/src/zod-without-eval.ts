import { config } from 'zod';

// The CSP forbids eval. zod probes for it whenever an object schema is built, and the contract
// builds them on import, so this module must be imported before anything that imports zod.
config({ jitless: true });
