import { benchCounter } from './counter-bench';
import { describeLoad, describeMachine } from './stats';

/** `npm run bench`: prints figures and the machine they ran on. Needs `npm run build` first. */
console.log(`machine: ${describeMachine()}`);
console.log(`date: ${new Date().toISOString()}`);
console.log(`before: ${describeLoad()}\n`);
console.log('== counter (issue 3), 20,000 students ==');
await benchCounter();
console.log(`\nafter: ${describeLoad()}`);
