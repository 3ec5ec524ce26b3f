#!/usr/bin/env python3
"""ppframe.py - binary frames (man/pp-frame.5), read and written in Python.

A second implementation of the binary frame format, written from the manual
page alone with nothing but the standard library, so the tests can check
our C reader and writer against something that is not themselves:

    ppframe.py read [-d C] [FILE]
        Check FILE (default stdin) as a binary frame and print it as CSV,
        the way `pp cat FILE` does.  Corrupt input: one line naming the
        byte offset on stderr, exit 1, and no CSV at all.

    ppframe.py write [-d C] [--compress] [--chunk-rows N]
                     [--types NAME=TYPE,...] [CSV [OUT]]
        Read a CSV frame (default stdin), infer its column types as
        pp-frame(5) says (or take them from --types: float64, int64, text,
        date, datetime) and write it as a binary frame to OUT (default
        stdout).

    ppframe.py meta [FILE]
        Check FILE's header and print its metadata (version 2), one
        "KEY=VALUE" a pair, as `pp cat --meta FILE` does: a value's final
        newline is not shown and every other newline is followed by a tab.

    ppframe.py write ... --meta KEY=VALUE (repeatable) writes a version 2
    frame carrying those pairs; without --meta it writes version 1.

    ppframe.py chunks [FILE]
        List the layout, one structure a line: "header OFFSET LENGTH NCOLS",
        then "chunk OFFSET NROWS FLAGS RAW_LEN STORED_LEN" for each chunk,
        so a test can aim a corruption at a given field.

Exit status: 0 success, 1 bad input, 2 usage.
"""

import argparse
import csv
import io
import math
import re
import struct
import sys
import zlib

MAGIC = b"\x89PPF\r\n\x1a\n"
CHUNK_MAGIC = b"PPCK"
VERSION = 2                     # the newest version read
MAX_META = 65535
MAX_META_VALUE = 1 << 24
F64, I64, TEXT, DATE, DATETIME = 1, 2, 3, 4, 5
TYPE_NAMES = {"float64": F64, "int64": I64, "text": TEXT, "date": DATE,
              "datetime": DATETIME}
FLAG_ZLIB = 1
MAX_RAW = 1 << 30
I64_MISSING = -(1 << 63)        # missing int64, date or datetime
DEFAULT_CHUNK_ROWS = 8192
INFER_ROWS = 1000
USEC_PER_DAY = 86400 * 1000000


class BadFrame(Exception):
    """Input that is not a valid frame: where (a byte offset for binary
    input, "LINE" for CSV) and what."""

    def __init__(self, where, what):
        super().__init__(what)
        self.where = where
        self.what = what


# --- calendar (proleptic Gregorian, integer arithmetic only) ---------------

def days_from_civil(y, m, d):
    """Days since 1970-01-01 of y-m-d (any year)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z):
    """(y, m, d) of the day z days after 1970-01-01."""
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (m <= 2), m, d


def days_in_month(y, m):
    if m == 2:
        return 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28
    return 30 if m in (4, 6, 9, 11) else 31


DAY_MIN = days_from_civil(1, 1, 1)
DAY_MAX = days_from_civil(9999, 12, 31)


def fmt_date(days):
    if not DAY_MIN <= days <= DAY_MAX:
        raise ValueError("date outside years 0001 to 9999")
    y, m, d = civil_from_days(days)
    return "%04d-%02d-%02d" % (y, m, d)


def fmt_datetime(usec):
    days, rem = divmod(usec, USEC_PER_DAY)
    if not DAY_MIN <= days <= DAY_MAX:
        raise ValueError("date-time outside years 0001 to 9999")
    secs, frac = divmod(rem, 1000000)
    s = "%sT%02d:%02d:%02d" % (fmt_date(days), secs // 3600,
                               secs // 60 % 60, secs % 60)
    if frac:
        s += ("." + "%06d" % frac).rstrip("0")
    return s + "Z"


DATE_RE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})\Z")
DATETIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})"
    r"(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?\Z", re.ASCII)


def valid_ymd(y, m, d):
    return 1 <= y <= 9999 and 1 <= m <= 12 and 1 <= d <= days_in_month(y, m)


def parse_date(s):
    """Days for "YYYY-MM-DD" (or the compact "YYYYMMDD"), or None."""
    mt = DATE_RE.match(s)
    if not mt or len(s) not in (8, 10) or s.isdigit() != (len(s) == 8):
        return None
    y, m, d = (int(g) for g in mt.groups())
    return days_from_civil(y, m, d) if valid_ymd(y, m, d) else None


def parse_datetime(s):
    """Microseconds since the epoch for an ISO 8601 date-time, or None."""
    mt = DATETIME_RE.match(s)
    if not mt:
        return None
    y, mo, d, hh, mi = (int(g) for g in mt.groups()[:5])
    ss = int(mt.group(6) or 0)
    frac = mt.group(7) or ""
    zone = mt.group(8) or "Z"
    if not valid_ymd(y, mo, d) or hh > 23 or mi > 59 or ss > 59:
        return None
    usec = int((frac + "000000")[:6])
    t = ((days_from_civil(y, mo, d) * 24 + hh) * 60 + mi) * 60 + ss
    if zone != "Z":
        zh, zm = int(zone[1:3]), int(zone[-2:])
        if zh > 23 or zm > 59:
            return None
        off = (zh * 60 + zm) * 60
        t -= off if zone[0] == "+" else -off
    usec += t * 1000000
    if not DAY_MIN * USEC_PER_DAY <= usec < (DAY_MAX + 1) * USEC_PER_DAY:
        return None
    return usec


# --- numbers ---------------------------------------------------------------

MISSING = ("", "NA", "N/A", "null", "NULL")
NUMBER_RE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")
SPECIAL_RE = re.compile(r"[+-]?(inf|infinity|nan)\Z", re.IGNORECASE)
INT_RE = re.compile(r"[+-]?\d+\Z")


def parse_double(s):
    """The double that s spells (missing spellings give NaN), or None."""
    if s in MISSING:
        return math.nan
    if NUMBER_RE.match(s) or SPECIAL_RE.match(s):
        return float(s)
    return None


def shortest_digits(a):
    """(digits, X) for a > 0 by pp-frame(5)'s rule: the significant digits
    without trailing zeros, X the exponent of the leading one.  The fewest
    digits that read back, the nearest of them: repr."""
    mant, _, exp = repr(a).partition("e")
    whole, _, frac = mant.partition(".")
    digits = (whole + frac).lstrip("0").rstrip("0") or "0"
    X = int(exp or 0) + (len(whole) - 1 if whole != "0" else
                         -(len(frac) - len(frac.lstrip("0")) + 1))
    return digits, X


def fmt_double(x):
    """pp-frame(5): shortest_digits in the notation of printf "%.17g":
    plain when the leading digit's exponent is -4..16, else d.ddde+XX.
    NaN is empty."""
    if math.isnan(x):
        return ""
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "-0" if math.copysign(1, x) < 0 else "0"
    digits, X = shortest_digits(abs(x))
    sign = "-" if x < 0 else ""
    if -4 <= X <= 16:
        if X < 0:
            return sign + "0." + "0" * (-X - 1) + digits
        if len(digits) <= X + 1:
            return sign + digits + "0" * (X + 1 - len(digits))
        return sign + digits[:X + 1] + "." + digits[X + 1:]
    m = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return "%s%se%s%02d" % (sign, m, "-" if X < 0 else "+", abs(X))


# --- CSV output ------------------------------------------------------------

def csv_field(b, delim):
    """Text bytes as one CSV field, quoted only when needed."""
    if (delim in b or b'"' in b or b"\r" in b or b"\n" in b
            or b.startswith(b" ") or b.endswith(b" ")
            or b.startswith(b"\xef\xbb\xbf")):
        return b'"' + b.replace(b'"', b'""') + b'"'
    return b


def cell_text(typ, v):
    if typ == F64:
        return fmt_double(v).encode()
    if typ != TEXT and v == I64_MISSING:
        return b""
    if typ == I64:
        return str(v).encode()
    if typ == DATE:
        return fmt_date(v).encode()
    if typ == DATETIME:
        return fmt_datetime(v).encode()
    return v


# --- binary reader ---------------------------------------------------------

class Reader:
    """Reads a binary frame from a binary file object, one chunk at a time,
    checking everything pp-frame(5) says a reader checks."""

    def __init__(self, fp):
        self.fp = fp
        self.pos = 0
        self.cols = []          # (name bytes, type)
        self.header_len = 0
        self.meta = []          # (key, value) strings, version 2
        self.rows = 0
        self.done = False

    def read(self, n, start, what):
        """n bytes, or BadFrame("truncated WHAT") at start."""
        b = self.fp.read(n)
        self.pos += len(b)
        if len(b) != n:
            raise BadFrame(start, "truncated " + what)
        return b

    def header(self):
        head = self.read(8, 0, "header")
        if head != MAGIC:
            raise BadFrame(0, "not a binary frame (bad magic)")
        b = self.read(8, 8, "header")
        head += b
        version, flags, ncols = struct.unpack("<HHI", b)
        if not 1 <= version <= VERSION:
            raise BadFrame(8, "unsupported frame version %d" % version)
        if flags != 0:
            raise BadFrame(10, "unsupported header flags 0x%x" % flags)
        if not 1 <= ncols <= 65535:
            raise BadFrame(12, "bad column count %d" % ncols)
        seen = set()
        for i in range(ncols):
            at = self.pos
            b = self.read(4, at, "column entry")
            head += b
            typ, reserved, nlen = struct.unpack("<BBH", b)
            if not F64 <= typ <= DATETIME:
                raise BadFrame(at, "column %d: bad type %d" % (i + 1, typ))
            if reserved != 0:
                raise BadFrame(at + 1, "column %d: reserved byte not zero"
                               % (i + 1))
            if nlen == 0:
                raise BadFrame(at + 2, "column %d: empty name" % (i + 1))
            name = self.read(nlen, at + 4, "column name")
            head += name
            try:
                name.decode("utf-8")
            except UnicodeDecodeError:
                raise BadFrame(at + 4, "column %d: name not UTF-8" % (i + 1))
            if b"\0" in name:
                raise BadFrame(at + 4, "column %d: NUL in name" % (i + 1))
            if name in seen:
                raise BadFrame(at, 'duplicate column "%s"' % name.decode())
            seen.add(name)
            self.cols.append((name, typ))
        if version >= 2:
            head += self.metadata()
        at = self.pos
        (crc,) = struct.unpack("<I", self.read(4, at, "header"))
        if crc != zlib.crc32(head):
            raise BadFrame(at, "header checksum mismatch")
        self.header_len = self.pos

    def metadata(self):
        """The version 2 metadata block into self.meta; returns its bytes
        for the header CRC."""
        at = self.pos
        b = self.read(4, at, "metadata count")
        raw = [b]
        (n,) = struct.unpack("<I", b)
        if n > MAX_META:
            raise BadFrame(at, "bad metadata count %d" % n)
        keys = set()
        for _ in range(n):
            at = self.pos
            b = self.read(1, at, "metadata entry")
            raw.append(b)
            klen = b[0]
            if klen == 0:
                raise BadFrame(at, "empty metadata key")
            key = self.read(klen, at + 1, "metadata key")
            raw.append(key)
            b = self.read(4, self.pos, "metadata entry")
            raw.append(b)
            (vlen,) = struct.unpack("<I", b)
            if vlen > MAX_META_VALUE:
                raise BadFrame(at, "metadata value too long")
            val = self.read(vlen, self.pos, "metadata value")
            raw.append(val)
            if any(c < 0x20 or c == 0x7f for c in key):
                raise BadFrame(at, "control character in metadata key")
            if b"\0" in val:
                raise BadFrame(at, "NUL in metadata value")
            try:
                k, v = key.decode("utf-8"), val.decode("utf-8")
            except UnicodeDecodeError:
                raise BadFrame(at, "metadata not UTF-8")
            if k in keys:
                raise BadFrame(at, 'metadata key "%s" repeats' % k)
            keys.add(k)
            self.meta.append((k, v))
        return b"".join(raw)

    def chunk(self):
        """The next chunk as (offset, nrows, flags, raw_len, stored_len,
        raw payload), checked up to its payload's layout."""
        at = self.pos
        b = self.fp.read(24)
        self.pos += len(b)
        if len(b) == 0:
            raise BadFrame(at, "truncated frame (no end chunk)")
        if len(b) != 24:
            raise BadFrame(at, "truncated chunk header")
        magic, nrows, flags, raw_len, stored_len, crc = \
            struct.unpack("<4s5I", b)
        if magic != CHUNK_MAGIC:
            raise BadFrame(at, "bad chunk magic")
        if flags & ~FLAG_ZLIB:
            raise BadFrame(at, "unsupported chunk flags 0x%x" % flags)
        if raw_len > MAX_RAW or stored_len > MAX_RAW:
            raise BadFrame(at, "chunk too large (%d bytes)" % raw_len)
        if not flags & FLAG_ZLIB and stored_len != raw_len:
            raise BadFrame(at, "chunk length mismatch")
        data = self.read(stored_len, at + 24, "chunk payload")
        if zlib.crc32(data, zlib.crc32(b[4:20])) != crc:
            raise BadFrame(at, "chunk checksum mismatch")
        if flags & FLAG_ZLIB:
            d = zlib.decompressobj()
            try:
                raw = d.decompress(data, raw_len + 1)
            except zlib.error:
                raise BadFrame(at, "bad compressed payload")
            if not d.eof or d.unused_data or len(raw) != raw_len:
                raise BadFrame(at, "bad compressed payload")
            data = raw
        return at, nrows, flags, raw_len, stored_len, data

    def columns(self, at, nrows, data):
        """Split a data chunk's payload into one list of values per column
        (text as bytes)."""
        out = []
        pos = 0
        for name, typ in self.cols:
            if typ == TEXT:
                n = 4 * (nrows + 1)
                if pos + n > len(data):
                    raise BadFrame(at, "chunk payload size mismatch")
                offs = struct.unpack_from("<%dI" % (nrows + 1), data, pos)
                pos += n
                if offs[0] != 0:
                    raise BadFrame(at, 'column "%s": bad text offsets'
                                   % name.decode())
                if pos + offs[nrows] > len(data):
                    raise BadFrame(at, "chunk payload size mismatch")
                vals = []
                for i in range(nrows):
                    if offs[i + 1] < offs[i]:
                        raise BadFrame(at, 'column "%s": bad text offsets'
                                       % name.decode())
                    v = data[pos + offs[i]:pos + offs[i + 1]]
                    try:
                        v.decode("utf-8")
                    except UnicodeDecodeError:
                        raise BadFrame(at, 'column "%s": text not UTF-8'
                                       % name.decode())
                    vals.append(v)
                pos += offs[nrows]
            else:
                n = 8 * nrows
                if pos + n > len(data):
                    raise BadFrame(at, "chunk payload size mismatch")
                code = "d" if typ == F64 else "q"
                vals = struct.unpack_from("<%d%s" % (nrows, code), data, pos)
                pos += n
            out.append(vals)
        if pos != len(data):
            raise BadFrame(at, "chunk payload size mismatch")
        return out

    def blocks(self):
        """Yield each data chunk's columns; check the end chunk and that
        nothing follows it."""
        while True:
            at, nrows, flags, raw_len, stored_len, data = self.chunk()
            if nrows == 0:
                if flags != 0 or raw_len != 8 or stored_len != 8:
                    raise BadFrame(at, "bad end chunk")
                (total,) = struct.unpack("<Q", data)
                if total != self.rows:
                    raise BadFrame(at, "row count mismatch: end chunk says "
                                   "%d, frame has %d" % (total, self.rows))
                if self.fp.read(1):
                    raise BadFrame(self.pos, "trailing data")
                self.done = True
                return
            yield self.columns(at, nrows, data)
            self.rows += nrows


def cmd_read(args):
    fp = open_in(args.file)
    delim = args.delimiter.encode()
    r = Reader(fp)
    # All of the CSV is held until the frame has been checked to its end
    # chunk, so corrupt input prints nothing that looks complete.
    out = io.BytesIO()
    r.header()
    types = [t for _, t in r.cols]
    out.write(delim.join(csv_field(n, delim) for n, _ in r.cols) + b"\n")
    for cols in r.blocks():
        for row in zip(*cols):
            line = delim.join(
                csv_field(v, delim) if t == TEXT else cell_text(t, v)
                for t, v in zip(types, row))
            # One empty field would be a blank line, which readers skip.
            out.write((line or b'""') + b"\n")
    sys.stdout.buffer.write(out.getvalue())
    sys.stdout.buffer.flush()


def cmd_meta(args):
    r = Reader(open_in(args.file))
    r.header()
    out = []
    for k, v in r.meta:
        if v.endswith("\n"):
            v = v[:-1]
        out.append("%s=%s\n" % (k, v.replace("\n", "\n\t")))
    sys.stdout.write("".join(out))


def cmd_chunks(args):
    fp = open_in(args.file)
    r = Reader(fp)
    r.header()
    print("header 0 %d %d" % (r.header_len, len(r.cols)))
    while True:
        at, nrows, flags, raw_len, stored_len, data = r.chunk()
        print("chunk %d %d %d %d %d" % (at, nrows, flags, raw_len,
                                        stored_len))
        if nrows == 0:
            return
        r.columns(at, nrows, data)


# --- binary writer ---------------------------------------------------------

def infer(name, values):
    """A column's type from its first values, as pp-frame(5) says."""
    if name == "symbol":
        return TEXT
    present = [v for v in values if v not in MISSING]
    if not present:
        return F64
    if all(parse_date(v) is not None for v in present):
        return DATE
    if all(parse_datetime(v) is not None for v in present):
        return DATETIME
    if all(parse_double(v) is not None for v in present):
        return F64
    return TEXT


def convert(typ, s):
    """The value of CSV field s in a column of type typ, or None."""
    if typ == TEXT:
        return s.encode()
    if typ == F64:
        return parse_double(s)
    if s in MISSING:
        return I64_MISSING
    if typ == I64:
        if not INT_RE.match(s):
            return None
        v = int(s)
        return v if I64_MISSING < v < (1 << 63) else None
    if typ == DATE:
        return parse_date(s)
    return parse_datetime(s)


def payload(types, rows):
    parts = []
    for j, typ in enumerate(types):
        col = [row[j] for row in rows]
        if typ == TEXT:
            offs = [0]
            for v in col:
                offs.append(offs[-1] + len(v))
            parts.append(struct.pack("<%dI" % len(offs), *offs))
            parts.append(b"".join(col))
        else:
            code = "d" if typ == F64 else "q"
            parts.append(struct.pack("<%d%s" % (len(col), code), *col))
    return b"".join(parts)


def chunk_bytes(nrows, raw, compress):
    flags = 0
    stored = raw
    if compress:
        flags = FLAG_ZLIB
        stored = zlib.compress(raw)
    fields = struct.pack("<4I", nrows, flags, len(raw), len(stored))
    crc = zlib.crc32(stored, zlib.crc32(fields))
    return CHUNK_MAGIC + fields + struct.pack("<I", crc) + stored


def cmd_write(args):
    fp = open_in(args.file)
    text = fp.read()
    if text.startswith(b"\xef\xbb\xbf"):
        text = text[3:]
    try:
        text = text.decode("utf-8")
    except UnicodeDecodeError as e:
        line = text[:e.start].count(b"\n") + 1
        raise BadFrame(line, "not UTF-8")
    rd = csv.reader(io.StringIO(text, newline=""), delimiter=args.delimiter,
                    strict=True)
    try:
        records = []
        line = 1
        for rec in rd:
            records.append((line, rec))
            line = rd.line_num + 1
    except csv.Error as e:
        raise BadFrame(line, "bad quoting (%s)" % e)
    if not records:
        raise BadFrame(1, "no header")
    names = records[0][1]
    body = records[1:]
    if len(set(names)) != len(names) or "" in names:
        raise BadFrame(1, "empty or duplicate column name")
    given = {}
    for item in filter(None, (args.types or "").split(",")):
        name, _, tname = item.partition("=")
        if name not in names or tname not in TYPE_NAMES:
            raise SystemExit("ppframe.py: --types: bad value \"%s\"" % item)
        given[name] = TYPE_NAMES[tname]
    body = [(line, rec) for line, rec in body if rec != []]  # empty lines
    for line, rec in body:
        if len(rec) != len(names):
            raise BadFrame(line, "expected %d fields, found %d"
                           % (len(names), len(rec)))
    types = []
    for j, name in enumerate(names):
        if name in given:
            types.append(given[name])
        else:
            types.append(infer(name, [rec[j] for _, rec in
                                      body[:INFER_ROWS]]))
    rows = []
    for line, rec in body:
        row = []
        for j, s in enumerate(rec):
            v = convert(types[j], s)
            if v is None:
                raise BadFrame(line, 'column "%s": bad value "%s"'
                               % (names[j], s))
            row.append(v)
        rows.append(row)

    meta = []
    for kv in args.meta or []:
        k, sep, v = kv.partition("=")
        if not sep or not k:
            raise ValueError("--meta wants KEY=VALUE, not \"%s\"" % kv)
        meta.append((k.encode(), v.encode()))
    out = [MAGIC, struct.pack("<HHI", 2 if meta else 1, 0, len(names))]
    for name, typ in zip(names, types):
        b = name.encode()
        out.append(struct.pack("<BBH", typ, 0, len(b)) + b)
    if meta:
        out.append(struct.pack("<I", len(meta)))
        for k, v in meta:
            out.append(struct.pack("<B", len(k)) + k +
                       struct.pack("<I", len(v)) + v)
    head = b"".join(out)
    out = [head, struct.pack("<I", zlib.crc32(head))]
    # As lib/binframe.c: a chunk's fixed-width part stays within 64 MiB.
    rowbytes = sum(4 if t == TEXT else 8 for t in types)
    n = min(args.chunk_rows, (64 << 20) // rowbytes)
    for i in range(0, len(rows), n):
        block = rows[i:i + n]
        out.append(chunk_bytes(len(block), payload(types, block),
                               args.compress))
    out.append(chunk_bytes(0, struct.pack("<Q", len(rows)), False))
    data = b"".join(out)
    if args.out in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        with open(args.out, "wb") as f:
            f.write(data)


# --- main ------------------------------------------------------------------

def open_in(path):
    if path in (None, "-"):
        return sys.stdin.buffer
    return open(path, "rb")


def delimiter(s):
    if len(s.encode()) != 1 or s in ('"', "\r", "\n"):
        raise argparse.ArgumentTypeError("bad delimiter \"%s\"" % s)
    return s


def positive(s):
    if not re.match(r"[1-9]\d*\Z", s):
        raise argparse.ArgumentTypeError("bad value \"%s\"" % s)
    return int(s)


def main():
    ap = argparse.ArgumentParser(prog="ppframe.py",
                                 description="Binary frames in Python.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("read", help="print a binary frame as CSV")
    p.add_argument("-d", "--delimiter", type=delimiter, default=",")
    p.add_argument("file", nargs="?")
    p = sub.add_parser("write", help="write a CSV frame as a binary frame")
    p.add_argument("-d", "--delimiter", type=delimiter, default=",")
    p.add_argument("--compress", action="store_true")
    p.add_argument("--chunk-rows", type=positive, default=DEFAULT_CHUNK_ROWS)
    p.add_argument("--types", metavar="NAME=TYPE,...")
    p.add_argument("--meta", metavar="KEY=VALUE", action="append")
    p.add_argument("file", nargs="?")
    p.add_argument("out", nargs="?")
    p = sub.add_parser("meta", help="print a binary frame's metadata")
    p.add_argument("file", nargs="?")
    p = sub.add_parser("chunks", help="list a binary frame's structures")
    p.add_argument("file", nargs="?")
    args = ap.parse_args()
    name = "<stdin>" if args.file in (None, "-") else args.file
    try:
        {"read": cmd_read, "write": cmd_write, "chunks": cmd_chunks,
         "meta": cmd_meta}[
            args.cmd](args)
    except BadFrame as e:
        if args.cmd == "write":
            where = "%s:%s" % (name, e.where)
        else:
            where = "%s: byte %d" % (name, e.where)
        sys.stderr.write("ppframe.py: %s: %s\n" % (where, e.what))
        return 1
    except OSError as e:
        sys.stderr.write("ppframe.py: %s: %s\n" % (e.filename or name,
                                                   e.strerror))
        return 1
    except ValueError as e:
        # A value CSV cannot carry (a date outside 0001..9999).
        sys.stderr.write("ppframe.py: %s: %s\n" % (name, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
