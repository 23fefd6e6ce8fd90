import { replicaRescue } from './replica-rescue';

replicaRescue('pglite');
