import { measureDashboards } from './console-dashboards.ts';

console.log(JSON.stringify(await measureDashboards()));
process.exit(0);
