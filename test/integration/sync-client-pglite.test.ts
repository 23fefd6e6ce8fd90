import { syncClient } from './sync-client';

syncClient('pglite');
