import { syncClient } from './sync-client';

syncClient('postgres');
