import { counterCrashSync } from './counter-crash-sync';

counterCrashSync('pglite');
