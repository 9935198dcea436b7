"""An independent structural checker for the VHDX files the library writes.

Written from [MS-VHDX] and docs/vhdx-format.md with plain ``struct`` parsing,
deliberately sharing no code with ``emulator.vhdx``, and stricter than the
spec where the library promises more (no log entries, LogGuid zero, both
headers valid with consecutive sequence numbers, Hyper-V's metadata flags).
"""

from __future__ import annotations

import itertools
import os
import struct
import uuid
from dataclasses import dataclass, field

import crc32c

MB = 1 << 20
BAT = uuid.UUID("2DC27766-F623-4200-9D64-115E9BFD4A08")
META = uuid.UUID("8B7CA206-4790-4B9A-B8FE-575F050F886E")
FILE_PARAMS = uuid.UUID("CAA16737-FA36-4D43-B3B6-33F0AA44E76B")
VSIZE = uuid.UUID("2FA54224-CD1B-4876-B211-5DBED83BF4B8")
DISK_ID = uuid.UUID("BECA12AB-B2E6-4523-93EF-C309E000C746")
LSS = uuid.UUID("8141BF1D-A96F-4709-BA47-F233A8FAAB5F")
PSS = uuid.UUID("CDA348C7-445D-4471-9CC9-E9885251C556")
LOCATOR = uuid.UUID("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C")
LOCATOR_TYPE = uuid.UUID("B04AEFB7-D19E-4A81-B789-25B8E9445913")

# Hyper-V's flags (IsUser, IsVirtualDisk, IsRequired) -> bit values.
EXPECTED_FLAGS = {FILE_PARAMS: 4, VSIZE: 6, DISK_ID: 6, LSS: 6, PSS: 6, LOCATOR: 4}


def crc_ok(raw: bytes) -> bool:
    stored = struct.unpack_from("<I", raw, 4)[0]
    return crc32c.crc32c(raw[:4] + b"\0\0\0\0" + raw[8:]) == stored


@dataclass
class Parsed:
    size: int
    data_write_guid: uuid.UUID | None = None
    bat_offset: int = 0
    bat_length: int = 0
    meta_offset: int = 0
    block_size: int = 0
    has_parent: bool = False
    virtual_size: int = 0
    lss: int = 0
    pss: int = 0
    disk_id: uuid.UUID | None = None
    locator: dict[str, str] = field(default_factory=dict)
    bat: list[int] = field(default_factory=list)

    @property
    def chunk_ratio(self) -> int:
        return (1 << 23) * self.lss // self.block_size

    @property
    def payload_blocks(self) -> int:
        return -(-self.virtual_size // self.block_size)

    @property
    def entries(self) -> int:
        cr = self.chunk_ratio
        if self.has_parent:
            return -(-self.payload_blocks // cr) * (cr + 1)
        return self.payload_blocks + (self.payload_blocks - 1) // cr

    def payload(self, block: int) -> int:
        return self.bat[block + block // self.chunk_ratio]

    def bitmap(self, chunk: int) -> int:
        index = chunk * (self.chunk_ratio + 1) + self.chunk_ratio
        return self.bat[index] if index < len(self.bat) else 0


def parse_and_check(path: str | os.PathLike[str]) -> tuple[Parsed, list[str]]:
    """Parse ``path``; return what was understood and the list of problems found."""
    problems: list[str] = []
    with open(path, "rb") as handle:
        blob = handle.read(8 * MB)
        size = os.fstat(handle.fileno()).st_size

        def read(offset: int, length: int) -> bytes:
            if offset + length <= len(blob):
                return blob[offset : offset + length]
            handle.seek(offset)
            return handle.read(length)

        p = Parsed(size)
        if size < 4 * MB:
            problems.append(f"file is {size} bytes, less than 4 MiB")
        if read(0, 8) != b"vhdxfile":
            problems.append("file identifier signature")
        headers = []
        for i, off in enumerate((0x10000, 0x20000)):
            raw = read(off, 4096)
            if raw[:4] != b"head" or not crc_ok(raw):
                problems.append(f"header {i + 1} signature/CRC")
                continue
            seq, _fwg, dwg, lg, logv, ver, loglen, logoff = struct.unpack_from("<Q16s16s16sHHIQ", raw, 8)
            headers.append((seq, uuid.UUID(bytes_le=dwg), uuid.UUID(bytes_le=lg), logv, ver, loglen, logoff))
            if any(read(off + 4096, 0x10000 - 4096)):
                problems.append(f"header {i + 1} slot not zero after 4 KiB")
        if len(headers) == 2 and abs(headers[0][0] - headers[1][0]) != 1:
            problems.append(f"header sequence numbers {headers[0][0]}, {headers[1][0]} not consecutive")
        if not headers:
            return p, problems
        cur = max(headers)
        seq, p.data_write_guid, log_guid, logv, ver, loglen, logoff = cur
        if log_guid.int != 0:
            problems.append("LogGuid not zero")
        if logv != 0 or ver != 1:
            problems.append("log version / version")
        if logoff < MB or logoff % MB or loglen % MB or loglen == 0:
            problems.append("log offset/length alignment")
        elif any(read(logoff, loglen)):
            problems.append("log area holds data (log entries left behind)")
        extents = [(0, MB, "header section"), (logoff, loglen, "log")]

        tables = [read(0x30000, 0x10000), read(0x40000, 0x10000)]
        for i, raw in enumerate(tables):
            if raw[:4] != b"regi" or not crc_ok(raw):
                problems.append(f"region table {i + 1} signature/CRC")
        if tables[0] != tables[1]:
            problems.append("region tables differ")
        count = struct.unpack_from("<I", tables[0], 8)[0]
        for i in range(min(count, 2047)):
            guid, off, length, _req = struct.unpack_from("<16sQII", tables[0], 16 + 32 * i)
            g = uuid.UUID(bytes_le=guid)
            if off % MB or length % MB or off < MB or length == 0:
                problems.append(f"region {g} not 1 MiB aligned")
            if off + length > size:
                problems.append(f"region {g} past end of file")
            extents.append((off, length, f"region {g}"))
            if g == BAT:
                p.bat_offset, p.bat_length = off, length
            elif g == META:
                p.meta_offset = off
            else:
                problems.append(f"unknown region {g}")
        if not p.bat_offset or not p.meta_offset:
            problems.append("BAT or metadata region missing")
            return p, problems

        meta = read(p.meta_offset, MB)
        if meta[:8] != b"metadata":
            problems.append("metadata signature")
            return p, problems
        mcount = struct.unpack_from("<H", meta, 10)[0]
        items: dict[uuid.UUID, bytes] = {}
        item_extents = [(0, 0x10000, "table")]
        for i in range(mcount):
            guid, off, length, flags, _res = struct.unpack_from("<16sIIII", meta, 32 + 32 * i)
            g = uuid.UUID(bytes_le=guid)
            if g not in EXPECTED_FLAGS:
                problems.append(f"unexpected metadata item {g}")
            elif flags != EXPECTED_FLAGS[g]:
                problems.append(f"metadata item {g} flags {flags}")
            if off < 0x10000 or off + length > MB:
                problems.append(f"metadata item {g} outside region")
            item_extents.append((off, length, str(g)))
            items[g] = meta[off : off + length]
        item_extents.sort()
        for a, b in itertools.pairwise(item_extents):
            if b[0] < a[0] + a[1]:
                problems.append(f"metadata items overlap: {a[2]} {b[2]}")
        for g in (FILE_PARAMS, VSIZE, DISK_ID, LSS, PSS):
            if g not in items:
                problems.append(f"metadata item {g} missing")
                return p, problems
        p.block_size, fflags = struct.unpack("<II", items[FILE_PARAMS][:8])
        p.has_parent = bool(fflags & 2)
        p.virtual_size = struct.unpack("<Q", items[VSIZE][:8])[0]
        p.disk_id = uuid.UUID(bytes_le=items[DISK_ID][:16])
        p.lss = struct.unpack("<I", items[LSS][:4])[0]
        p.pss = struct.unpack("<I", items[PSS][:4])[0]
        bs = p.block_size
        if bs < MB or bs > 256 * MB or bs & (bs - 1):
            problems.append(f"block size {bs}")
        if p.lss not in (512, 4096) or p.pss not in (512, 4096):
            problems.append("sector sizes")
        if p.virtual_size % p.lss or p.virtual_size == 0:
            problems.append("virtual size")
        if p.has_parent != (LOCATOR in items):
            problems.append("HasParent and parent locator disagree")
        if LOCATOR in items:
            raw = items[LOCATOR]
            ltype, _r, kv = struct.unpack_from("<16sHH", raw, 0)
            if uuid.UUID(bytes_le=ltype) != LOCATOR_TYPE:
                problems.append("locator type")
            for i in range(kv):
                ko, vo, kl, vl = struct.unpack_from("<IIHH", raw, 20 + 12 * i)
                if not (ko and vo and kl and vl) or ko + kl > len(raw) or vo + vl > len(raw):
                    problems.append(f"locator entry {i} offsets")
                    continue
                p.locator[raw[ko : ko + kl].decode("utf-16-le")] = raw[vo : vo + vl].decode("utf-16-le")
            link = p.locator.get("parent_linkage", "")
            if not (link.startswith("{") and link.endswith("}") and link == link.lower()):
                problems.append(f"parent_linkage {link!r} not lowercase with braces")
            if "relative_path" not in p.locator:
                problems.append("relative_path missing (dissect needs it)")

        if p.entries * 8 > p.bat_length:
            problems.append("BAT region too small")
        raw_bat = read(p.bat_offset, p.bat_length)
        p.bat = list(struct.unpack(f"<{p.bat_length // 8}Q", raw_bat))
        if any(p.bat[p.entries :]):
            problems.append("BAT entries past the entry count are not zero")
        period = p.chunk_ratio + 1
        blocks = []
        for i, e in enumerate(p.bat[: p.entries]):
            state, off = e & 7, e & ~0xFFFFF
            if e & 0xFFFF8:
                problems.append(f"BAT {i}: reserved bits")
            if i % period == p.chunk_ratio:
                if state not in (0, 6) or (state == 6 and not p.has_parent):
                    problems.append(f"BAT {i}: bitmap state {state}")
                length = MB
            else:
                if state not in (0, 1, 2, 3, 6, 7) or (state == 7 and not p.has_parent):
                    problems.append(f"BAT {i}: payload state {state}")
                length = bs
            if state in (6, 7):
                if off < MB:
                    problems.append(f"BAT {i}: offset in header section")
                if off + length > size:
                    problems.append(f"BAT {i}: block past end of file")
                blocks.append((off, length, f"BAT {i}"))
            elif off:
                problems.append(f"BAT {i}: state {state} with an offset")
            if state == 7:
                chunk = (i - i // period) // p.chunk_ratio
                if p.bitmap(chunk) & 7 != 6:
                    problems.append(f"BAT {i}: partial block without sector bitmap")
        everything = sorted(extents + blocks)
        for a, b in itertools.pairwise(everything):
            if b[0] < a[0] + a[1]:
                problems.append(f"overlap: {a[2]} and {b[2]}")
        return p, problems


def check(path: str | os.PathLike[str]) -> list[str]:
    return parse_and_check(path)[1]


def assert_valid(path: str | os.PathLike[str]) -> Parsed:
    parsed, problems = parse_and_check(path)
    assert not problems, f"{path}: {problems}"
    return parsed
