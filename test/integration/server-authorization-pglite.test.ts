import { serverAuthorization } from './server-authorization';

serverAuthorization('pglite');
