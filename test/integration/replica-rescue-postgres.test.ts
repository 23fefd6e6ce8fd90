import { replicaRescue } from './replica-rescue';

replicaRescue('postgres');
