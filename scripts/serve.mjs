// npm run serve [-- --port 8080]: the demo site, computed live by the package.
import {startSiteServer} from './site_server.mjs';

const args = process.argv.slice(2);
const i = args.indexOf('--port');
const port = i >= 0 ? Number(args[i + 1]) : Number(process.env.PORT || 8080);

const {url} = await startSiteServer({port});
console.log(`tfjs-roi site: ${url}  (Ctrl-C to stop)`);
