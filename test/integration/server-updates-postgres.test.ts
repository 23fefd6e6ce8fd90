import { describeUpdateFeed } from './server-updates';

describeUpdateFeed('postgres');
