#!/bin/sh
# serve_cost.sh BIN_DIR OUT_DIR: what one request costs pp-serve and the
# ceiling (tests/bench/const_server.c), in counts that hold still on a
# busy machine (issue 14), where serve.sh's timings do not.
#
# Both servers run with one thread and answer the model and the body of
# serve.sh (OUT_DIR/serve, made by serve.sh, which `make bench` runs
# first): one instance of the twelve-feature spec a request, POST
# /v1/models/m:predict, every request on one kept-alive connection from
# a Python client (http.client, the body sent with the headers in one
# write).  Each measure is the difference between a run of N1 and a run
# of N2 requests, over N2 - N1: starting, loading and stopping cancel out.
#   instr/rq     user-space instructions a request, valgrind's callgrind
#                (the server's own code and libmicrohttpd's and libc's;
#                a `rep stos` counts one per iteration, so the 16 KB
#                connection pool libmicrohttpd clears after each request
#                is about 16,000 of them, in both servers)
#   syscalls/rq  system calls a request, strace -f (the kernel's part of
#                the cost: both servers make the same three, epoll_wait,
#                recvfrom and sendmsg, when nothing else differs)
# Needs valgrind and strace; without them, says so and exits 0.  Prints
# the table and writes OUT_DIR/serve_cost.txt.
set -eu

bin=$1
out=$2
work=$out/serve
n1=${PP_BENCH_COST_N1:-500}
n2=${PP_BENCH_COST_N2:-2500}
for t in valgrind strace; do
	if ! command -v $t >/dev/null; then
		echo "serve_cost.sh: $t is not installed: not run" |
		    tee "$out/serve_cost.txt"
		exit 0
	fi
done
for f in ridge.ppm v1.json const_server; do
	[ -s "$work/$f" ] || { echo "serve_cost.sh: no $work/$f:" \
	    "run tests/bench/serve.sh $bin $out first" >&2; exit 1; }
done
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# client PORT N: N requests on one connection; fails on anything but 200.
# Waits (30 s at most: valgrind starts slowly) for the server first.
client() {
	/usr/bin/python3 - "$1" "$2" "$work/v1.json" <<'END'
import http.client, sys, time
port, n, body = int(sys.argv[1]), int(sys.argv[2]), open(sys.argv[3], "rb").read()
for _ in range(300):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port)
        c.connect()
        break
    except OSError:
        time.sleep(0.1)
for _ in range(n):
    c.request("POST", "/v1/models/m:predict", body,
              {"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit("serve_cost.sh: HTTP %d" % r.status)
END
}

# run TOOL NAME N: the server NAME under TOOL answering N requests; prints
# the tool's count (instructions, or system calls).
run() {
	port=$(free_port)
	if [ "$2" = ceiling ]; then
		set -- "$1" "$2" "$3" "$work/const_server" "$port" 1
	else
		set -- "$1" "$2" "$3" pp-serve -m "m=$work/ridge.ppm" \
		    --threads 1 --listen "127.0.0.1:$port"
	fi
	tool=$1 n=$3
	shift 3
	case $tool in
	callgrind)
		valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		    "$@" >/dev/null 2>"$work/cost.log" & ;;
	strace)
		strace -f -c -o "$work/cost.strace" "$@" >/dev/null \
		    2>"$work/cost.log" & ;;
	esac
	p=$!
	pids="$pids $p"
	client "$port" "$n"
	# valgrind runs as the server's own process; strace as its parent.
	s=$p
	[ "$tool" = strace ] && s=$(pgrep -P "$p")
	kill -INT "$s"
	wait "$p" || true
	case $tool in
	callgrind)
		sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$work/cost.log" ;;
	strace)
		awk '$NF == "total" { print $4 }' \
		    "$work/cost.strace" ;;
	esac
}

# per TOOL NAME: the count a request.
per() {
	a=$(run "$1" "$2" "$n1")
	b=$(run "$1" "$2" "$n2")
	echo "$a $b" | awk -v d=$((n2 - n1)) '{ printf "%.0f", ($2 - $1) / d }'
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
ci=$(per callgrind ceiling)
cs=$(per strace ceiling)
pi=$(per callgrind pp-serve)
ps=$(per strace pp-serve)
{
	printf 'one request, one instance, one connection: the run of %s minus the run of %s\n' \
	    "$n2" "$n1"
	printf 'load average before: %s (these counts do not depend on it)\n' \
	    "$load0"
	printf '%-20s %12s %12s\n' server instr/rq syscalls/rq
	printf '%-20s %12s %12s\n' "ceiling (constant)" "$ci" "$cs"
	printf '%-20s %12s %12s\n' "pp-serve v1" "$pi" "$ps"
	printf 'pp-serve beyond the ceiling: %s instructions a request\n' \
	    $((pi - ci))
} >"$out/serve_cost.txt"
cat "$out/serve_cost.txt"
