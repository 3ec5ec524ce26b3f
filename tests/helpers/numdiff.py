#!/usr/bin/env python3
"""numdiff.py [--rtol R] EXPECTED ACTUAL: compare two texts where numbers
need only agree to a tolerance.

Both files are split into lines and each line into tokens: runs of
characters that parse as a float (Python's float(), so 1e-3, -0.5, nan,
inf) and everything else.  Non-numbers must match exactly; numbers must
satisfy |a - e| <= R * max(1, |e|) (relative above 1, absolute below), and
NaN matches NaN only.  Exit 0 when they agree, 1 with the first difference
on stderr.  Used for output built from BLAS/LAPACK results, whose last
digits depend on the CPU's kernels (issue 16).
"""
import math
import re
import sys

NUM = re.compile(r'[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?'
                 r'|inf|nan)(?![\w.])')


def tokens(line):
    out, pos = [], 0
    for m in NUM.finditer(line):
        if m.start() > 0 and (line[m.start() - 1].isalnum()
                              or line[m.start() - 1] in '_.'):
            continue   # part of a word such as rsi14 or x1.5
        if m.start() > pos:
            out.append(line[pos:m.start()])
        out.append(float(m.group()))
        pos = m.end()
    if pos < len(line):
        out.append(line[pos:])
    return out


def main():
    args = sys.argv[1:]
    rtol = 1e-9
    if len(args) == 4 and args[0] == '--rtol':
        rtol = float(args[1])
        args = args[2:]
    if len(args) != 2:
        sys.exit('usage: numdiff.py [--rtol R] EXPECTED ACTUAL')
    with open(args[0]) as f:
        exp = f.read().splitlines()
    with open(args[1]) as f:
        act = f.read().splitlines()
    worst = 0.0
    for n, (e, a) in enumerate(zip(exp, act), 1):
        te, ta = tokens(e), tokens(a)
        ok = len(te) == len(ta)
        for x, y in zip(te, ta) if ok else ():
            if isinstance(x, float) != isinstance(y, float):
                ok = False
            elif not isinstance(x, float):
                ok = x == y
            elif math.isnan(x) or math.isnan(y):
                ok = math.isnan(x) and math.isnan(y)
            elif math.isinf(x) or math.isinf(y):
                ok = x == y
            else:
                d = abs(x - y) / max(1.0, abs(x))
                worst = max(worst, d)
                ok = d <= rtol
            if not ok:
                break
        if not ok:
            sys.stderr.write('numdiff: line %d differs beyond %g:\n'
                             '-%s\n+%s\n' % (n, rtol, e, a))
            sys.exit(1)
    if len(exp) != len(act):
        sys.stderr.write('numdiff: %d lines expected, %d given\n'
                         % (len(exp), len(act)))
        sys.exit(1)


main()
