import { integrationCleared } from './integration-cleared';

integrationCleared('postgres');
