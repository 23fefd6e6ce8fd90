import { consoleServerSuite } from './console-server';

consoleServerSuite('postgres');
