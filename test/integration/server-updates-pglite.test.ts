import { describeUpdateFeed } from './server-updates';

describeUpdateFeed('pglite');
