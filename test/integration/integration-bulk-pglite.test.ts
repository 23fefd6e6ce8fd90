import { integrationBulk } from './integration-bulk';

integrationBulk('pglite');
