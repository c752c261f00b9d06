// Real SIP traffic for the raw capture tests, run inside a test network namespace with
// `ip netns exec <ns> node test/support/sip-traffic.mjs '<json>'`.
//   {"serve":[{"ip":"10.203.1.2","port":5060}, ...]}  binds UDP and TCP there, prints "ready", runs until killed
//   {"send":[{"udp":{...}}, {"tcp":{...}}, {"sleep":ms}]}  sends in order, prints "done", exits
//     udp: {from, fromPort?, to, port, data (base64)}
//     tcp: {from, fromPort?, to, port, writes: [base64...], gapMs?}  one connection, each element one write()
import dgram from 'node:dgram';
import net from 'node:net';

const spec = JSON.parse(process.argv[2]);
const family = (ip) => (ip.includes(':') ? 'udp6' : 'udp4');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (spec.serve) {
  for (const { ip, port } of spec.serve) {
    const u = dgram.createSocket({ type: family(ip), reuseAddr: true });
    u.on('message', () => undefined);
    u.bind(port, ip);
    net
      .createServer((s) => {
        s.on('data', () => undefined);
        s.on('error', () => undefined);
      })
      .listen(port, ip);
  }
  setTimeout(() => console.log('ready'), 100);
} else {
  for (const step of spec.send) {
    if (step.sleep) await sleep(step.sleep);
    if (step.udp) {
      const o = step.udp;
      const s = dgram.createSocket({ type: family(o.to), reuseAddr: true });
      await new Promise((r) => s.bind(o.fromPort ?? 0, o.from, r));
      await new Promise((r, j) => s.send(Buffer.from(o.data, 'base64'), o.port, o.to, (e) => (e ? j(e) : r())));
      s.close();
    }
    if (step.tcp) {
      const o = step.tcp;
      const s = net.connect({ host: o.to, port: o.port, localAddress: o.from, localPort: o.fromPort });
      s.setNoDelay(true);
      await new Promise((r, j) => {
        s.once('connect', r);
        s.once('error', j);
      });
      for (const w of o.writes) {
        await new Promise((r) => s.write(Buffer.from(w, 'base64'), r));
        await sleep(o.gapMs ?? 50);
      }
      s.end();
      await new Promise((r) => s.once('close', r));
    }
  }
  console.log('done');
}
