import { fuzzServerRoutes } from './fuzz-server';

fuzzServerRoutes('pglite');
