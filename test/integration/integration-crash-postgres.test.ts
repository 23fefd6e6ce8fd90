import { integrationCrash } from './integration-crash';

integrationCrash('postgres');
