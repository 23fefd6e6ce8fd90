import { integrationCrash } from './integration-crash';

integrationCrash('pglite');
