// A minimal HTTP service so the first image has something to run.
const http = require('node:http');

const port = Number(process.env.PORT || ${{ values.containerPort }});
http
  .createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ service: '${{ values.name }}', status: 'ok' }));
  })
  .listen(port, () => console.log(`${{ values.name }} listening on ${port}`));
