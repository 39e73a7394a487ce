#!/usr/bin/env python3
"""Simulated rack for bench/storm/run: N machines that each do the protocol
work of the BIOS + iPXE boot path, with no VM behind them:

  dhcp_pxe   DHCPDISCOVER/REQUEST as a PXE ROM (options 60, 93, 94, 97)
  tftp       RRQ of the boot file from the ACK (blksize 1456, tsize), whole file
  dhcp_ipxe  DHCPDISCOVER/REQUEST again as iPXE (user class "iPXE", option 175)
  script     HTTP GET of the URL from that ACK
  kernel     HTTP GET of the script's `kernel` URL, whole body
  initrd     HTTP GET of each `initrd` URL, whole body

Why a purpose-built generator: perfdhcp stops at DHCP, TFTP and HTTP load
tools (atftp, wrk) do not chain the stages per machine, and QEMU VMs
(scripts/lab/storm) cap at tens of machines on this hardware. It is bench
tooling, in Python for brevity; one asyncio thread drives every machine, so
its own CPU share is reported and a point where it nears one core is
marked generator-bound by the caller.

Clients behave like the firmware they stand for: DHCP is retransmitted at
4, 8, 16, 32 s (PXE spec); an unanswered RRQ or ACK is retransmitted after
--tftp-timeout s, up to --tftp-retries times; a TFTP ERROR fails the stage
(a PXE ROM gives up); HTTP is not retried (iPXE retries no fetch by itself;
a rendered script's retry loop is not interpreted here), so a 503 or a
connection closed without a response fails its stage.

Every machine binds its TFTP and HTTP sockets to the address DHCP gave it;
the caller makes the pool's addresses local in the client namespace
(AnyIP route), so the server sees one client address per machine.

Prints one JSON object: per stage ok/failed counts and latency quantiles,
boots/s, the generator's CPU seconds. Runs only inside the namespace the
caller created (it binds to --interface).
"""
import argparse
import asyncio
import json
import os
import random
import resource
import socket
import struct
import time

BOOTREQUEST, BOOTREPLY = 1, 2
MAGIC = b"\x63\x82\x53\x63"
STAGES = ["dhcp_pxe", "tftp", "dhcp_ipxe", "script", "kernel", "initrd"]


def mac_of(i, base):
    n = base + i
    return bytes([0x52, 0x54, 0x00, (n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF])


def dhcp_packet(xid, mac, msg_type, ipxe, requested=None, server_id=None):
    opts = bytearray([53, 1, msg_type])
    vendor = b"PXEClient:Arch:00000:UNDI:002001"
    opts += bytes([60, len(vendor)]) + vendor
    opts += bytes([93, 2, 0, 0, 94, 3, 1, 2, 1])
    opts += bytes([97, 17, 0]) + mac + bytes(10)
    opts += bytes([55, 9, 1, 3, 6, 12, 15, 17, 43, 66, 67])
    if ipxe:
        opts += bytes([77, 4]) + b"iPXE"
        opts += bytes([175, 3, 1, 1, 1])  # iPXE feature block: priority
    if requested:
        opts += bytes([50, 4]) + socket.inet_aton(requested)
    if server_id:
        opts += bytes([54, 4]) + socket.inet_aton(server_id)
    opts += bytes([57, 2, 0x05, 0xC0, 255])
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", BOOTREQUEST, 1, 6, 0, xid, 0, 0x8000, bytes(4), bytes(4),
                      bytes(4), bytes(4), mac + bytes(10), bytes(64), bytes(128))
    return hdr + MAGIC + bytes(opts)


def parse_dhcp(data):
    if len(data) < 240 or data[0] != BOOTREPLY or data[236:240] != MAGIC:
        return None
    xid = struct.unpack("!I", data[4:8])[0]
    yiaddr = socket.inet_ntoa(data[16:20])
    siaddr = socket.inet_ntoa(data[20:24])
    file_field = data[108:236].split(b"\0", 1)[0].decode("latin-1")
    opts, i = {}, 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        if i + 1 >= len(data):
            break
        code, ln = data[i], data[i + 1]
        opts[code] = data[i + 2:i + 2 + ln]
        i += 2 + ln
    msg = opts.get(53, b"\0")[0]
    name = opts.get(67, b"").split(b"\0", 1)[0].decode("latin-1") or file_field
    server = socket.inet_ntoa(opts[54]) if 54 in opts else siaddr
    next_server = siaddr if siaddr != "0.0.0.0" else server
    return xid, msg, yiaddr, server, next_server, name


class DhcpPort(asyncio.DatagramProtocol):
    """One socket on port 68 for every simulated machine; replies by xid."""

    def __init__(self):
        self.waiters = {}

    def datagram_received(self, data, addr):
        p = parse_dhcp(data)
        if p and p[0] in self.waiters and not self.waiters[p[0]].done():
            self.waiters[p[0]].set_result(p)


class TftpClient(asyncio.DatagramProtocol):
    def __init__(self):
        self.queue = asyncio.Queue()

    def datagram_received(self, data, addr):
        self.queue.put_nowait((data, addr))

    def error_received(self, exc):
        pass


class StageError(Exception):
    pass


class Machine:
    def __init__(self, gen, index):
        self.gen, self.index = gen, index
        self.mac = mac_of(index, gen.args.mac_base)
        self.stage_ms = {}
        self.failed_stage = None
        self.reason = ""
        self.ip = None

    async def dhcp(self, ipxe):
        g = self.gen
        xid = random.getrandbits(32)
        schedule = [4, 8, 16, 32]
        offer = None
        for msg_type in (1, 3):
            for wait in schedule:
                fut = asyncio.get_running_loop().create_future()
                g.dhcp.waiters[xid] = fut
                if msg_type == 1:
                    pkt = dhcp_packet(xid, self.mac, 1, ipxe)
                else:
                    pkt = dhcp_packet(xid, self.mac, 3, ipxe, offer[2], offer[3])
                g.dhcp_transport.sendto(pkt, ("255.255.255.255", 67))
                try:
                    reply = await asyncio.wait_for(fut, wait)
                except asyncio.TimeoutError:
                    continue
                finally:
                    g.dhcp.waiters.pop(xid, None)
                if msg_type == 1 and reply[1] == 2:
                    offer = reply
                    break
                if msg_type == 3 and reply[1] == 5:
                    return reply
                if reply[1] == 6:
                    raise StageError("NAK")
            else:
                raise StageError("no answer" if msg_type == 1 else "no ACK")
        raise StageError("unreachable")

    async def tftp(self, server, name):
        g = self.gen
        loop = asyncio.get_running_loop()
        transport, proto = await loop.create_datagram_endpoint(TftpClient, local_addr=(self.ip, 0))
        try:
            rrq = b"\0\1" + name.encode() + b"\0octet\0blksize\0" + b"1456\0tsize\0" + b"0\0"
            last = (rrq, (server, 69))
            transport.sendto(*last)
            peer, expected, blksize, received, tries = None, 1, 512, 0, 0
            while True:
                try:
                    data, addr = await asyncio.wait_for(proto.queue.get(), g.args.tftp_timeout)
                except asyncio.TimeoutError:
                    tries += 1
                    if tries > g.args.tftp_retries:
                        raise StageError("timeout")
                    transport.sendto(*last)
                    continue
                if peer is None:
                    peer = addr
                elif addr != peer:
                    continue
                op = struct.unpack("!H", data[:2])[0]
                if op == 5:
                    raise StageError("ERROR " + data[4:].split(b"\0", 1)[0].decode("latin-1"))
                if op == 6:  # OACK
                    fields = data[2:].split(b"\0")
                    for k, v in zip(fields[0::2], fields[1::2]):
                        if k.lower() == b"blksize":
                            blksize = int(v)
                    last = (b"\0\4\0\0", peer)
                    transport.sendto(*last)
                    tries = 0
                    continue
                if op != 3:
                    continue
                block = struct.unpack("!H", data[2:4])[0]
                if block == expected & 0xFFFF:
                    received += len(data) - 4
                    expected += 1
                last = (b"\0\4" + data[2:4], peer)
                transport.sendto(*last)
                tries = 0
                if block == (expected - 1) & 0xFFFF and len(data) - 4 < blksize:
                    return received
        finally:
            transport.close()

    async def http_get(self, url):
        if not url.startswith("http://"):
            raise StageError("not http: " + url)
        hostport, _, path = url[7:].partition("/")
        host, _, port = hostport.partition(":")
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            sock.bind((self.ip, 0))
            try:
                await loop.sock_connect(sock, (host, int(port or 80)))
            except OSError as e:
                raise StageError("connect: " + (e.strerror or str(e)))
            await loop.sock_sendall(sock, f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\n"
                                          f"User-Agent: iPXE/1.0.0 (rackboot storm)\r\n\r\n".encode())
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = await loop.sock_recv(sock, 65536)
                if not chunk:
                    raise StageError("closed without a response")
                head += chunk
            head, _, body = head.partition(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            if status != 200:
                raise StageError(f"HTTP {status}")
            length = None
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length":
                    length = int(v)
            body = bytearray(body)
            if length is not None and length <= 65536:  # a script: keep it
                while len(body) < length:
                    chunk = await loop.sock_recv(sock, 65536)
                    if not chunk:
                        raise StageError("closed mid-body")
                    body += chunk
                return bytes(body), len(body)
            got = len(body) + await self.discard(sock, None if length is None else length - len(body))
            if length is not None and got < length:
                raise StageError("closed mid-body")
            return b"", got
        except ConnectionError as e:
            raise StageError(str(e))
        finally:
            sock.close()

    async def discard(self, sock, remaining):
        """Reads a body without copying it (TCP MSG_TRUNC drops the bytes in
        the kernel): the generator's cost per byte would otherwise make every
        large-artifact point generator-bound."""
        loop = asyncio.get_running_loop()
        got = 0
        while remaining is None or got < remaining:
            try:
                n = sock.recv_into(self.gen.scratch, len(self.gen.scratch), socket.MSG_TRUNC)
            except BlockingIOError:
                ready = loop.create_future()
                loop.add_reader(sock.fileno(), lambda: ready.done() or ready.set_result(None))
                try:
                    await ready
                finally:
                    loop.remove_reader(sock.fileno())
                continue
            if n == 0:
                break
            got += n
        return got

    async def stage(self, name, coro):
        t0 = time.monotonic()
        try:
            result = await coro
        except StageError as e:
            self.failed_stage, self.reason = name, str(e)
            raise
        self.stage_ms[name] = (time.monotonic() - t0) * 1000
        return result

    async def boot(self):
        self.t_start = time.monotonic()
        try:
            ack = await self.stage("dhcp_pxe", self.dhcp(False))
            self.ip = ack[2]
            await self.stage("tftp", self.tftp(ack[4], ack[5]))
            ack = await self.stage("dhcp_ipxe", self.dhcp(True))
            self.ip = ack[2]
            script, _ = await self.stage("script", self.http_get(ack[5]))
            kernel, initrds = None, []
            for line in script.decode("latin-1").splitlines():
                words = line.split(" || ")[0].split()
                if not words or words[0] not in ("kernel", "initrd"):
                    continue
                args = [w for w in words[1:]]
                while args and args[0].startswith("--"):
                    args = args[2:] if args[0] in ("--name", "--timeout") else args[1:]
                if words[0] == "kernel" and kernel is None:
                    kernel = args[0]
                elif words[0] == "initrd":
                    initrds.append(args[0])
            if kernel is None:
                self.failed_stage, self.reason = "script", "no kernel line"
                raise StageError(self.reason)
            await self.stage("kernel", self.http_get(kernel))
            t0 = time.monotonic()
            for u in initrds:
                await self.stage("initrd", self.http_get(u))
            self.stage_ms["initrd"] = (time.monotonic() - t0) * 1000
            self.t_end = time.monotonic()
        except StageError:
            self.t_end = None
        except Exception as e:  # a generator bug must show, not pass as a server failure
            self.failed_stage = self.failed_stage or "generator"
            self.reason = repr(e)
            self.t_end = None


class Generator:
    def __init__(self, args):
        self.args = args
        self.scratch = bytearray(4 << 20)  # MSG_TRUNC reads: never written to

    async def run(self):
        a = self.args
        loop = asyncio.get_running_loop()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.interface.encode())
        # FORCE (root): SO_RCVBUF is capped by net.core.rmem_max (208 KiB),
        # and a full buffer drops answers the server did send.
        s.setsockopt(socket.SOL_SOCKET, 33, 32 << 20)  # SO_RCVBUFFORCE (not in the socket module)
        s.bind(("0.0.0.0", 68))
        self.dhcp_transport, self.dhcp = await loop.create_datagram_endpoint(DhcpPort, sock=s)
        machines = [Machine(self, i) for i in range(a.machines)]
        cpu0, t0 = os.times(), time.monotonic()
        tasks = []
        for i, m in enumerate(machines):
            if a.rate > 0:
                delay = t0 + i / a.rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(m.boot()))
        await asyncio.gather(*tasks)
        wall = time.monotonic() - t0
        cpu1 = os.times()
        self.dhcp_transport.close()
        return self.report(machines, wall, (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system), t0)

    def report(self, machines, wall, cpu, t0):
        def q(values, p):
            if not values:
                return None
            v = sorted(values)
            return round(v[min(len(v) - 1, int(p * len(v)))], 1)

        stages = {}
        for st in STAGES:
            done = [m.stage_ms[st] for m in machines if st in m.stage_ms]
            failed = [m for m in machines if m.failed_stage == st]
            reasons = {}
            for m in failed:
                reasons[m.reason] = reasons.get(m.reason, 0) + 1
            stages[st] = {"ok": len(done), "failed": len(failed), "p50_ms": q(done, 0.5), "p99_ms": q(done, 0.99),
                          "reasons": reasons}
        booted = [m for m in machines if m.t_end is not None]
        boot_s = [(m.t_end - m.t_start) for m in booted]
        last = max((m.t_end for m in booted), default=t0)
        other = [m for m in machines if m.t_end is None and m.failed_stage not in STAGES]
        return {
            "machines": len(machines), "booted": len(booted), "failed": len(machines) - len(booted),
            "generator_errors": {m.reason: 1 for m in other},
            "boots_per_s": round(len(booted) / (last - t0), 1) if booted and last > t0 else 0,
            "last_boot_s": round(last - t0, 2), "boot_p50_s": q(boot_s, 0.5), "boot_p99_s": q(boot_s, 0.99),
            "wall_s": round(wall, 2), "generator_cpu_s": round(cpu, 2),
            "generator_cpu_share": round(cpu / wall, 3) if wall > 0 else 0, "stages": stages,
        }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--machines", type=int, required=True)
    p.add_argument("--rate", type=float, default=0, help="arrivals per second; 0 = all at once")
    p.add_argument("--interface", default="eth0")
    p.add_argument("--mac-base", type=int, default=0, help="first machine is 52:54:00 + this index")
    p.add_argument("--tftp-timeout", type=float, default=4.0)
    p.add_argument("--tftp-retries", type=int, default=6)
    a = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print(json.dumps(asyncio.run(Generator(a).run())))


if __name__ == "__main__":
    main()
