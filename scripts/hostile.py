#!/usr/bin/env python3
"""Generates hostile inputs of the kinds issue "Hostile input" lists and runs sealant on each,
checking the bar: every run ends in < 30 s and < 300 MB RSS, exits 0 or 1 (never a panic),
prints no full secret in the JSON or text report or on stderr, and, for an input whose content
is not fully read, warns naming it.

    scripts/hostile.py [WORKDIR]        # default: a temporary directory; needs /usr/bin/time

Inputs are generated (nothing large is committed): gzip, bzip2 and xz bombs,
a zip whose 100,000 central-directory entries all point at one member holding keys, a .gz of
keys, a tar with a 200 MB long name, deep nesting, duplicate names, odd tar types, bytes after
a gzip stream, archive magic followed by text, a key in a member name, a 300 MB line, containers (7z and lz4 bombs, a cpio member declaring 4 GiB, a compound
file whose chain loops, a million zip members, skippable zstd frames, a zip behind a script),
encoded text (a 100 MB
line of base64 of keys, base64 nested 50 deep, a zip bomb in a data: URI), and
decoder amplification: a DEX, an Android binary XML string pool and a binary plist whose tables
point many times into one long string (at one offset, and at successive offsets, each reading
an overlapping suffix), and the corrupt xz stream fuzzing found (fixtures/hostile/).

    scripts/hostile.py WORKDIR NAME...  # only the inputs named (e.g. overlap.dex)
"""
import bz2
import gzip
import io
import json
import lzma
import os
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib

KEY = "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"  # sealant:allow test key
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "sealant")


def zeros_stream(compress, size):
    c = compress()
    out = bytearray()
    chunk = bytes(1 << 20)
    for _ in range(size >> 20):
        out += c.compress(chunk)
    out += c.flush()
    return bytes(out)


def zip_one_member_many_entries(n):
    data = ("k=" + KEY + "\n").encode() * 100
    crc = zlib.crc32(data)
    name0 = b"m.txt"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, crc, len(data), len(data), len(name0), 0) + name0 + data
    cd = bytearray()
    for i in range(n):
        name = f"m{i:06d}.txt".encode()
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, crc, len(data), len(data), len(name), 0, 0, 0, 0, 0, 0) + name
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(n, 0xFFFF), min(n, 0xFFFF), len(cd), len(local), 0)
    return local + bytes(cd) + eocd


def tar_long_name(size):
    buf = io.BytesIO()
    def hdr(name, sz, typ):
        ti = tarfile.TarInfo(name)
        ti.size = sz
        ti.type = typ
        return ti.tobuf(format=tarfile.USTAR_FORMAT)
    buf.write(hdr("././@LongLink", size, b"L"))
    buf.write(b"a" * size)
    buf.write(b"\0" * ((-size) % 512))
    body = ("k=" + KEY + "\n").encode()
    buf.write(hdr("x.txt", len(body), tarfile.REGTYPE) + body + b"\0" * ((-len(body)) % 512) + b"\0" * 1024)
    return buf.getvalue()


def nested_zips(depth):
    data = ("k=" + KEY + "\n").encode()
    name = "key.txt"
    for i in range(depth):
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w") as z:
            z.writestr(name, data)
        data, name = b.getvalue(), f"level{i}.zip"
    return data


def dex_string_ids(count, successive):
    """A DEX whose `count` string ids point into one long string of keys with no NUL: all at
    its start, or each at the next byte (each id then reads a suffix as long as the rest)."""
    body = b"\x7f" + (("k=" + KEY + "\n").encode() * 6000)
    ids_off = 0x70
    data_off = ids_off + 4 * count
    header = bytearray(b"dex\n035\0" + bytes(0x70 - 8))
    header[0x38:0x3C] = struct.pack("<I", count)
    header[0x3C:0x40] = struct.pack("<I", ids_off)
    ids = b"".join(struct.pack("<I", data_off + (i % len(body) if successive else 0)) for i in range(count))
    return bytes(header) + ids + body


def axml_overlapping_pool(entries):
    """Android binary XML whose string pool entries sit at successive offsets inside one long
    UTF-16 run: each reads a 16,384-unit string (entries x 32 KiB if all were decoded)."""
    header = 28
    strings_start = header + 4 * entries
    body = b"\x00\x40" * (64 * 1024)
    size = strings_start + len(body)
    pool = struct.pack("<HHIIIIII", 1, header, size, entries, 0, 0, strings_start, 0)
    pool += b"".join(struct.pack("<I", 2 * i) for i in range(entries)) + body
    return struct.pack("<HHI", 3, 8, 8 + len(pool)) + pool


def plist_overlapping_strings(count):
    """A binary plist whose offset table points every 4 bytes into a run of string headers,
    each declaring a 65,520-byte ASCII string (count x 64 KiB if all were decoded)."""
    body = b"\x5f\x11\xff\xf0" * (count + 17000)
    table_off = 8 + len(body)
    table = b"".join(struct.pack(">I", 8 + 4 * i) for i in range(count))
    trailer = bytes(6) + bytes([4, 4]) + struct.pack(">QQQ", count, 0, table_off)
    return b"bplist00" + body + table + trailer


def cfb_with_a_loop():
    """A minimal OLE compound file (512-byte sectors) whose directory chain points at itself."""
    sector = 512
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 0x2C, 1)          # one FAT sector
    struct.pack_into("<I", header, 0x30, 1)          # directory starts at sector 1
    struct.pack_into("<I", header, 0x38, 4096)       # mini stream cutoff
    struct.pack_into("<I", header, 0x3C, 0xFFFFFFFE)  # no mini FAT
    struct.pack_into("<I", header, 0x44, 0xFFFFFFFE)  # no DIFAT sectors
    struct.pack_into("<I", header, 0x4C, 0)          # FAT at sector 0
    for i in range(1, 109):
        struct.pack_into("<I", header, 0x4C + 4 * i, 0xFFFFFFFF)
    fat = bytearray(b"\xff" * sector)
    struct.pack_into("<I", fat, 0, 0xFFFFFFFD)       # sector 0: FAT
    struct.pack_into("<I", fat, 4, 1)                # sector 1 -> sector 1: a loop
    directory = bytearray(sector)
    name = "Root Entry".encode("utf-16-le") + b"\0\0"
    directory[: len(name)] = name
    struct.pack_into("<HBB", directory, 0x40, len(name), 5, 1)
    struct.pack_into("<III", directory, 0x44, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    return bytes(header + fat + directory)


def inputs():
    key_line = ("k=" + KEY + "\n").encode()
    yield "bomb.gz", zeros_stream(lambda: zlib.compressobj(9, zlib.DEFLATED, 31), 1 << 30), True
    yield "bomb.bz2", zeros_stream(bz2.BZ2Compressor, 1 << 30), True
    yield "bomb.xz", zeros_stream(lambda: lzma.LZMACompressor(preset=0), 1 << 30), True
    yield "keys.gz", gzip.compress(key_line * 3_000_000, 1), True
    yield "cd-fanout.zip", zip_one_member_many_entries(100_000), True
    yield "long-name.tar", tar_long_name(200 << 20), True
    yield "deep.zip", nested_zips(40), True
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr(f"keys/{KEY}.txt", b"nothing here")
    yield "key-in-name.zip", b.getvalue(), False
    yield "trailing.gz", gzip.compress(b"hello\n") + key_line, True
    yield "magic-then-text.zip", b"PK\x03\x04 plain text " + key_line, True
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.GNU_FORMAT) as tf:
        ti = tarfile.TarInfo("c.txt")
        ti.size = len(key_line)
        ti.type = b"7"
        tf.addfile(ti, io.BytesIO(key_line))
    yield "contiguous.tar", b.getvalue(), False
    yield "huge-line.txt", b"x" * (300 << 20) + key_line, False
    yield "one-string.dex", dex_string_ids(250_000, False), False
    yield "overlap.dex", dex_string_ids(250_000, True), True
    yield "overlap-pool.xml", axml_overlapping_pool(32_768), True
    yield "overlap.plist", plist_overlapping_strings(16_384), True
    # Encoded text: a 100 MB line of base64 of keys, base64 of base64 … 50 deep in a
    # Kubernetes Secret, and a zip bomb in a data: URI.
    import base64
    yield "b64-line.txt", b"X=" + base64.b64encode((KEY.encode() + b" ") * 700_000) + b"\n", False
    deep = KEY.encode()
    for _ in range(50):
        deep = base64.b64encode(deep)
    yield "b64-deep.yaml", b"kind: Secret\ndata:\n  KEY: " + deep + b"\n", True
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.txt", b"0" * (1 << 30))
    uri = b'<a href="data:application/zip;base64,' + base64.b64encode(b.getvalue()) + b'">x</a>\n'
    yield "zip-in-uri.html", uri, True
    # Containers: a 1 GiB 7z and lz4 bomb of zeros (when the tools are here), a cpio member
    # declaring 4 GiB, an OLE compound file whose directory chain loops, 1,000,000 one-byte
    # zip members, 100,000 skippable zstd frames before the real one, a zip behind a script.
    import shutil
    if shutil.which("7z"):
        with tempfile.TemporaryDirectory() as t:
            subprocess.run(f"head -c 1G /dev/zero | 7z a -bd -bso0 -sizeros.bin {t}/b.7z",
                           shell=True, check=True)
            with open(f"{t}/b.7z", "rb") as f:
                yield "bomb.7z", f.read(), True
    if shutil.which("lz4"):
        p = subprocess.run("head -c 4G /dev/zero | lz4 -q --content-size -c", shell=True,
                           capture_output=True)
        yield "bomb.lz4", p.stdout, True
    cpio = b"070701" + b"0" * 8 + b"000081A4" + b"0" * 32 + b"FFFFFFFF" + b"0" * 32 + b"0000000A" + b"0" * 8
    yield "huge-member.cpio", cpio + b"keys.txt\0\0\0\0" + key_line * 10, True
    yield "fat-loop.msi", cfb_with_a_loop(), True
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
        for i in range(1_000_000):
            z.writestr(str(i), b"x")
    yield "million.zip", b.getvalue(), True
    key_zst = subprocess.run(["zstd", "-q", "-c"], input=key_line, capture_output=True).stdout
    if key_zst:
        yield "skippable.zst", (struct.pack("<II", 0x184D2A50, 4) + b"abcd") * 100_000 + key_zst, False
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("app.env", key_line)
    yield "installer.sh", b"#!/bin/sh\necho install\nexit 0\n" + b.getvalue(), False
    # Found by cargo fuzz: a corrupt stream that made a pure-Rust xz decoder spin forever.
    with open(os.path.join(ROOT, "fixtures", "hostile", "xz-decoder-spin.xz"), "rb") as f:
        yield "decoder-spin.xz", f.read(), True
    # Found by cargo fuzz: a corrupt stream on which a pure-Rust bzip2 decoder aborted.
    with open(os.path.join(ROOT, "fixtures", "hostile", "bzip2-decoder-panic.bz2"), "rb") as f:
        yield "decoder-panic.bz2", f.read(), True


def main():
    work = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="sealant-hostile-")
    os.makedirs(work, exist_ok=True)
    only = set(sys.argv[2:])
    failures = 0
    for name, data, partial in inputs():
        if only and name not in only:
            continue
        path = os.path.join(work, name)
        with open(path, "wb") as f:
            f.write(data)
        for fmt in ["json", "text"]:
            cmd = ["/usr/bin/time", "-f", "%e %M", BIN, "scan", "--format", fmt, "--fail-on", "never", path]
            try:
                p = subprocess.run(cmd, capture_output=True, timeout=60)
            except subprocess.TimeoutExpired:
                print(f"FAIL {name} ({fmt}): over 60 s")
                failures += 1
                continue
            err = p.stderr.decode(errors="replace")
            secs, kib = err.strip().splitlines()[-1].split()
            problems = []
            if float(secs) >= 30:
                problems.append(f"{secs} s")
            if int(kib) >= 300 * 1024:
                problems.append(f"{int(kib) // 1024} MB RSS")
            if p.returncode not in (0, 1):
                problems.append(f"exit {p.returncode}")
            if "panicked" in err:
                problems.append("panic")
            if KEY in p.stdout.decode(errors="replace") or KEY in err:
                problems.append("full secret printed")
            if fmt == "json" and partial:
                report = json.loads(p.stdout)
                if not any(name in w["path"] for w in report["warnings"]):
                    problems.append("no warning naming it")
            status = "FAIL" if problems else "ok  "
            failures += bool(problems)
            print(f"{status} {name:22} {fmt:5} {secs:>6} s {int(kib) // 1024:>5} MB exit {p.returncode} {'; '.join(problems)}")
    print(f"{failures} failed" if failures else "every input within the bar")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
