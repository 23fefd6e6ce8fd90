import { serverCrash } from './server-crash';

serverCrash('pglite');
