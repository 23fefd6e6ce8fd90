import { syncSetup } from './sync-setup';

syncSetup('pglite');
