import { consoleServerSuite } from './console-server';

consoleServerSuite('pglite');
