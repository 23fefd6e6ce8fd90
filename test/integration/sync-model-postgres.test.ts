import { syncModel } from './sync-model';

syncModel('postgres');
