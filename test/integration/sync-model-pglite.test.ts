import { syncModel } from './sync-model';

syncModel('pglite');
