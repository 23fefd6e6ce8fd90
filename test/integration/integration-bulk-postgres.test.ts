import { integrationBulk } from './integration-bulk';

integrationBulk('postgres');
