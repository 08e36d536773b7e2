// Network faults on tap for the tests of timeouts and proxies, on 127.0.0.1 only:
// - startBlackHole(): an endpoint that accepts connections and never answers (and keeps what it got).
// - startForwardProxy(): an HTTP forward proxy (CONNECT tunnels and plain absolute-URI requests)
//   that records what passed, optionally asks for Proxy-Authorization, and refuses any target that
//   is not on loopback (so a test can see where a client tried to go without going there).
// The emulator's own endpoints (OIDC, STS, ECR, the registry front) black-hole with a fault:
// `emulator.inject({ service, operation?, times?, fault: { kind: 'hang' } })`.
import dns from 'node:dns'
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import net from 'node:net'

export interface BlackHole {
  /** `127.0.0.1` */
  readonly host: string
  readonly port: number
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** Connections accepted so far. */
  readonly connections: number
  /** Everything the connections sent, in arrival order (the requests nobody answered). */
  received(): string
  close(): Promise<void>
}

/** A TCP endpoint on a free loopback port that accepts every connection and never writes a byte. */
export async function startBlackHole(): Promise<BlackHole> {
  const sockets = new Set<net.Socket>()
  const chunks: Buffer[] = []
  let connections = 0
  const server = net.createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on('data', (b: Buffer) => chunks.push(b))
    socket.on('error', () => undefined)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as net.AddressInfo).port
  return {
    host: '127.0.0.1',
    port,
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections
    },
    received: () => Buffer.concat(chunks).toString('latin1'),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

export interface ProxyRecord {
  /** `CONNECT` for a tunnel, else the plain request's method. */
  method: string
  /** `host:port` of a tunnel, the absolute URL of a plain request. */
  target: string
  host: string
  port: number
  /**
   * What the proxy answered: 200 for a tunnel it opened, the origin's status for a plain request,
   * 403 for a target off loopback, 407 without the credentials it wants, 502 when the target
   * refused; 0 while the exchange is still going.
   */
  status: number
  /** Bytes from the client to the target and back (the tunnel's payload, or the request and answer bodies). */
  bytesUp: number
  bytesDown: number
  /** The Proxy-Authorization header as the client sent it. */
  proxyAuthorization?: string
  at: Date
}

export interface ForwardProxyOptions {
  /** Ask for `Proxy-Authorization: Basic base64(username:password)` (407 without it). */
  auth?: { username: string; password: string }
}

export interface ForwardProxy {
  /** `http://127.0.0.1:<port>`, for HTTPS_PROXY / HTTP_PROXY. */
  readonly url: string
  readonly port: number
  /** Everything that passed (or was turned away), in arrival order. */
  readonly records: ProxyRecord[]
  close(): Promise<void>
}

const isLoopbackAddress = (address: string): boolean =>
  net.isIPv4(address) ? address.startsWith('127.') : address === '::1' || address === '::ffff:127.0.0.1'

/** Whether `host` is on this machine's loopback (an IP, or a name that resolves there, in 2 s). */
async function onLoopback(host: string): Promise<boolean> {
  const bare = host.replace(/^\[|\]$/g, '')
  if (net.isIP(bare)) return isLoopbackAddress(bare)
  const lookup = dns.promises.lookup(bare, { all: true }).then(
    (all) => all.length > 0 && all.every((a) => isLoopbackAddress(a.address)),
    () => false,
  )
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000).unref())
  return Promise.race([lookup, timeout])
}

function splitHostPort(target: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(target) ?? /^([^:]+)(?::(\d+))?$/.exec(target)
  return { host: m?.[1] ?? target, port: m?.[2] !== undefined ? Number(m[2]) : defaultPort }
}

/** A forward proxy on a free loopback port. */
export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const records: ProxyRecord[] = []
  const sockets = new Set<net.Socket>()
  const expected =
    options.auth === undefined
      ? undefined
      : `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`
  const record = (req: IncomingMessage, target: string, host: string, port: number): ProxyRecord => {
    const r: ProxyRecord = {
      method: req.method ?? '',
      target,
      host,
      port,
      status: 0,
      bytesUp: 0,
      bytesDown: 0,
      at: new Date(),
    }
    const auth = req.headers['proxy-authorization']
    if (typeof auth === 'string') r.proxyAuthorization = auth
    records.push(r)
    return r
  }
  const authorized = (req: IncomingMessage): boolean =>
    expected === undefined || req.headers['proxy-authorization'] === expected
  const challenge = 'Basic realm="ecr-supply-chain test bed proxy"'

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let url: URL
    try {
      url = new URL(req.url ?? '')
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('a forward proxy wants an absolute URI\n')
      return
    }
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port)
    const rec = record(req, url.href, url.hostname, port)
    if (!authorized(req)) {
      rec.status = 407
      res
        .writeHead(407, { 'proxy-authenticate': challenge, 'content-type': 'text/plain' })
        .end('proxy credentials needed\n')
      return
    }
    if (url.protocol !== 'http:') {
      rec.status = 400
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end('plain requests are http:// only (https goes through CONNECT)\n')
      return
    }
    void onLoopback(url.hostname).then((ok) => {
      if (!ok) {
        rec.status = 403
        res
          .writeHead(403, { 'content-type': 'text/plain' })
          .end(`${url.host} is not on loopback: not forwarded\n`)
        return
      }
      // RFC 9112: an absolute request-target wins over the Host header the client sent.
      const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: url.host }
      delete headers['proxy-authorization']
      delete headers['proxy-connection']
      const up = httpRequest(
        { host: url.hostname, port, method: req.method, path: `${url.pathname}${url.search}`, headers },
        (answer) => {
          rec.status = answer.statusCode ?? 502
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.on('data', (b: Buffer) => (rec.bytesDown += b.length))
          answer.pipe(res)
        },
      )
      up.on('error', (e) => {
        rec.status = 502
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
        res.end(`upstream: ${e.message}\n`)
      })
      req.on('data', (b: Buffer) => (rec.bytesUp += b.length))
      req.pipe(up)
    })
  })

  server.on('connect', (req: IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => undefined)
    const target = req.url ?? ''
    const { host, port } = splitHostPort(target, 443)
    const rec = record(req, target, host, port)
    const refuse = (status: number, reason: string, extra = ''): void => {
      rec.status = status
      client.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`)
    }
    if (!authorized(req)) {
      refuse(407, 'Proxy Authentication Required', `Proxy-Authenticate: ${challenge}\r\n`)
      return
    }
    void onLoopback(host).then((ok) => {
      if (!ok) {
        refuse(403, 'Forbidden')
        return
      }
      const upstream = net.connect({ host, port })
      sockets.add(upstream)
      upstream.on('close', () => sockets.delete(upstream))
      upstream.once('connect', () => {
        rec.status = 200
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        if (head.length > 0) {
          rec.bytesUp += head.length
          upstream.write(head)
        }
        client.on('data', (b: Buffer) => (rec.bytesUp += b.length))
        upstream.on('data', (b: Buffer) => (rec.bytesDown += b.length))
        client.pipe(upstream)
        upstream.pipe(client)
      })
      upstream.once('error', () => {
        if (rec.status === 0) refuse(502, 'Bad Gateway')
        else client.destroy()
      })
      client.once('close', () => upstream.destroy())
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as net.AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    records,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
