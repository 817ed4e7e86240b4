"""Benchmark traffic analysis: generate a large pcap, then measure throughput and peak memory.

    .venv/bin/python bench/bench_comms.py [--size-mb 200] [--keep PATH]

Targets (issue 8): >= 20 MB/s of capture, peak RSS < 300 MB, for captures up to 1 GB.
The capture mixes TLS 1.2/1.3 sessions with bulk application data, HL7 MLLP, HTTP and DNS,
from 250 clients with rotating ports, so connections are created, identified and evicted.
The analysis runs in a child process so its peak RSS is measured alone.
"""

from __future__ import annotations

import argparse
import resource
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dpkt

_PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def _frame(src: str, sport: int, dst: str, dport: int, flags: int, data: bytes = b"", udp: bool = False) -> bytes:
    ip_src, ip_dst = bytes(map(int, src.split("."))), bytes(map(int, dst.split(".")))
    if udp:
        l4: dpkt.Packet = dpkt.udp.UDP(sport=sport, dport=dport, data=data)
        l4.ulen = len(l4)
        proto = 17
    else:
        l4 = dpkt.tcp.TCP(sport=sport, dport=dport, seq=1000, flags=flags, data=data)
        proto = 6
    ip = dpkt.ip.IP(src=ip_src, dst=ip_dst, p=proto, data=l4)
    ip.len = len(ip)
    return bytes(dpkt.ethernet.Ethernet(data=ip))


def _hello(mtype: int, body: bytes) -> bytes:
    hs = bytes([mtype]) + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def _sessions() -> list[list[tuple[bool, bytes]]]:
    """Templates: lists of (from_client, frame) for client 10.0.0.1:40000 (patched per session)."""
    c, s = "10.0.0.1", "10.0.1.5"
    ch = _hello(1, b"\x03\x03" + b"\x11" * 32 + b"\x00\x00\x04\xc0\x2f\x13\x01\x01\x00\x00\x00")
    sh = _hello(2, b"\x03\x03" + b"\x22" * 32 + b"\x00\xc0\x2f\x00")
    app = b"\x17\x03\x03\x05\x70" + b"\xab" * 1392
    tls = [
        (True, _frame(c, 40000, s, 443, 0x02)),
        (False, _frame(s, 443, c, 40000, 0x12)),
        (True, _frame(c, 40000, s, 443, 0x10)),
        (True, _frame(c, 40000, s, 443, 0x18, ch)),
        (False, _frame(s, 443, c, 40000, 0x18, sh + b"\x16\x03\x03" + b"\x00" * 1200)),
        *[(i % 3 == 0, _frame(c, 40000, s, 443, 0x18, app)) for i in range(40)],
        (True, _frame(c, 40000, s, 443, 0x11)),
        (False, _frame(s, 443, c, 40000, 0x11)),
    ]
    mllp = b"\x0bMSH|^~\\&|A|B|C|D|20260101||ORU^R01|1|P|2.6\r" + b"OBX|1|NM|X||1|\r" * 40 + b"\x1c\x0d"
    hl7 = [
        (True, _frame(c, 40000, "10.0.1.7", 2575, 0x02)),
        (False, _frame("10.0.1.7", 2575, c, 40000, 0x12)),
        (True, _frame(c, 40000, "10.0.1.7", 2575, 0x18, mllp)),
        (False, _frame("10.0.1.7", 2575, c, 40000, 0x18, b"\x0bMSA|AA\r\x1c\x0d")),
        (True, _frame(c, 40000, "10.0.1.7", 2575, 0x11)),
    ]
    body = b"HTTP/1.1 200 OK\r\n\r\n" + b"x" * 1380
    http = [
        (True, _frame(c, 40000, "10.0.1.9", 80, 0x02)),
        (False, _frame("10.0.1.9", 80, c, 40000, 0x12)),
        (True, _frame(c, 40000, "10.0.1.9", 80, 0x18, b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")),
        *[(False, _frame("10.0.1.9", 80, c, 40000, 0x18, body)) for _ in range(12)],
        (True, _frame(c, 40000, "10.0.1.9", 80, 0x11)),
    ]
    q = bytes(dpkt.dns.DNS(id=1, qd=[dpkt.dns.DNS.Q(name="update.vendor.example")]))
    dns = [
        (True, _frame(c, 40000, "10.0.1.53", 53, 0, q, udp=True)),
        (False, _frame("10.0.1.53", 53, c, 40000, 0, q, udp=True)),
    ]
    return [tls, tls, hl7, http, dns]


def generate(path: Path, size_mb: int) -> int:
    """Write a capture of about ``size_mb`` MB; returns the packet count."""
    target = size_mb * 1024 * 1024
    sessions = _sessions()
    packets, written, n, ts = 0, len(_PCAP_HEADER), 0, 1767225600.0
    with path.open("wb", buffering=1 << 20) as fh:
        fh.write(_PCAP_HEADER)
        while written < target:
            template = sessions[n % len(sessions)]
            host, port = 1 + (n % 250), 1024 + (n // 250) % 60000
            ip, sport = bytes([10, 0, 0, host]), struct.pack("!H", port)
            for from_client, frame in template:
                f = bytearray(frame)
                if from_client:
                    f[26:30], f[34:36] = ip, sport
                else:
                    f[30:34], f[36:38] = ip, sport
                ts += 0.0001
                sec = int(ts)
                fh.write(struct.pack("<IIII", sec, int((ts - sec) * 1e6), len(f), len(f)))
                fh.write(f)
                written += 16 + len(f)
                packets += 1
            n += 1
    return packets


MODEL = """
system: {id: bench, name: Bench, version: "1", setting: hospital}
assets: [{id: A-phi, kind: data, confidentiality: high, data_categories: [phi]}]
components:
  - {id: pumps, type: InfusionPump}
  - {id: server, type: InfusionManagementServer}
  - {id: ehr, type: EHR}
flows:
  - {id: F-api, from: server, to: pumps, protocol: [TLS1.2], port: 443}
  - {id: F-hl7, from: pumps, to: ehr, data: [A-phi], protocol: [HL7v2-MLLP], port: 2575}
"""
HOSTS = "hosts:\n  10.0.0.0/24: pumps\n  10.0.1.5: server\n  10.0.1.7: ehr\n"


def analyse(capture: Path) -> None:
    """Child process: analyse and print seconds, findings and peak RSS (MB)."""
    from medsecurance.comms.inventory import load_hosts
    from medsecurance.comms.traffic import analyze_capture
    from medsecurance.model import load

    folder = capture.parent
    (folder / "model.yaml").write_text(MODEL)
    (folder / "hosts.yaml").write_text(HOSTS)
    model = load(folder / "model.yaml", check_files=False).model
    start = time.perf_counter()
    result = analyze_capture(capture, model, hosts=load_hosts(folder / "hosts.yaml", model))
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ev = result.evidence
    print(f"{seconds:.3f} {len(result.findings)} {rss:.1f} {ev['packets']} {ev['connections']} {ev['conversations']}")


def main() -> None:
    """Generate, analyse in a child process, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="write the capture here and keep it")
    parser.add_argument("--analyse", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.analyse:
        analyse(args.analyse)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench.pcap"
        t0 = time.perf_counter()
        packets = generate(path, args.size_mb)
        size = path.stat().st_size / (1024 * 1024)
        print(f"generated {size:.0f} MB, {packets} packets in {time.perf_counter() - t0:.1f} s")
        out = subprocess.run(
            [sys.executable, __file__, "--analyse", str(path)], capture_output=True, text=True, check=True
        )
        seconds, findings, rss, pkts, conns, convs = out.stdout.split()
        rate = size / float(seconds)
        print(f"analysed {pkts} packets, {conns} connections, {convs} conversations, {findings} findings")
        print(
            f"time {float(seconds):.1f} s  throughput {rate:.1f} MB/s (target >= 20)  peak RSS {float(rss):.0f} MB (target < 300)"
        )


if __name__ == "__main__":
    main()
