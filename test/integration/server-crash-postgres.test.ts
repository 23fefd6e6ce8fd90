import { serverCrash } from './server-crash';

serverCrash('postgres');
