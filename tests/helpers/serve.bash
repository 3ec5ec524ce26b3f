# serve.bash - start and stop pp-serve for the t6 suites, on loopback only.
#
#   serve_start ARGS...   start pp-serve --listen 127.0.0.1:0 ARGS in the
#                         background; sets PID, PORT, URL and SERR (its
#                         stderr file); fails if it is not listening within
#                         30 s
#   serve_stop            SIGTERM, wait; sets STATUS to its exit status
#   http METHOD PATH [CURL ARGS...]
#                         one request, at most 10 s; stdout is the body,
#                         then a line with the status code
#   serve_teardown        kill a server a failed test left running
#
# The server closes bats' fd 3, or bats would wait for it.

serve_start() {
	SERR=$BATS_TEST_TMPDIR/serve.$$.$RANDOM.err
	pp-serve --listen 127.0.0.1:0 "$@" 2>"$SERR" 3>&- &
	PID=$!
	PORT=
	# The file appears only once the child runs: on a loaded machine
	# that can be after the first look, and it may take seconds.
	for _ in $(seq 300); do
		PORT=$(sed -n 's/^pp-serve: listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' \
		    "$SERR" 2>/dev/null) || true
		[ -n "$PORT" ] && break
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$PORT" ]; then
		cat "$SERR" >&2
		return 1
	fi
	URL=http://127.0.0.1:$PORT
}

serve_stop() {
	kill -TERM "$PID"
	STATUS=0
	wait "$PID" || STATUS=$?
	PID=
}

http() {
	local method=$1 path=$2
	shift 2
	curl -s --max-time 10 -X "$method" -w '\n%{http_code}' "$@" "$URL$path"
}

serve_teardown() {
	if [ -n "${PID:-}" ]; then
		kill -KILL "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	true
}
