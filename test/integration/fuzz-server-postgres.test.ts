import { fuzzServerRoutes } from './fuzz-server';

fuzzServerRoutes('postgres');
