import { serverAuthorization } from './server-authorization';

serverAuthorization('postgres');
