import { integrationCleared } from './integration-cleared';

integrationCleared('pglite');
