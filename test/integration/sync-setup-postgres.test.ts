import { syncSetup } from './sync-setup';

syncSetup('postgres');
