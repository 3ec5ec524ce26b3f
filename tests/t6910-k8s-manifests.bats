#!/usr/bin/env bats
# t6910: deploy/k8s agrees with pp-serve, with itself and with the README
# (tests/helpers/k8s_manifests.py; scripts/container-check runs the
# manifests under podman kube play).
#
# Plan:
#   the manifests as committed pass every check
#   a drifted copy fails, one line per problem: a probe path pp-serve does
#     not answer, an option pp-serve does not have, a grace period shorter
#     than preStop plus the drain, a port that is not --listen's
#   a README that makes another Secret than the one mounted fails
#   the CronJob's daily.sh, run twice on the host with the synthetic
#     provider, promotes version 1 and keeps version 2 out (same score)

load helpers/common

setup() {
	common_setup
	python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml not installed"
	SERVE=$(command -v pp-serve)
	K=$T/k8s
	cp -r deploy/k8s "$K"
}

@test "deploy/k8s agrees with pp-serve --help, its man page and the README" {
	run -0 --separate-stderr python3 tests/helpers/k8s_manifests.py \
	    deploy/k8s "$SERVE" man/pp-serve.1 README.md
	assert_output "deploy/k8s: 42 checks passed"
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "a drifted Deployment fails, one line per problem" {
	sed -i -e 's|path: /v2/health/ready|path: /v2/ready|' \
	    -e 's|^        - --threads$|        - --workers|' \
	    -e 's|terminationGracePeriodSeconds: 30|terminationGracePeriodSeconds: 20|' \
	    -e 's|containerPort: 8080|containerPort: 9090|' "$K/pp-serve.yaml"
	run -1 --separate-stderr python3 tests/helpers/k8s_manifests.py \
	    "$K" "$SERVE" man/pp-serve.1 README.md
	assert_output ""
	[ "$stderr" = "k8s_manifests: pp-serve.yaml: --workers is not a pp-serve option
k8s_manifests: pp-serve.yaml: argument '2' is not an option
k8s_manifests: pp-serve.yaml: port http 9090 but --listen 0.0.0.0:8080
k8s_manifests: pp-serve.yaml: readinessProbe asks /v2/ready
k8s_manifests: pp-serve.yaml: readinessProbe: /v2/ready is not in pp-serve(1)
k8s_manifests: pp-serve.yaml: grace 20s < preStop 5s + drain 20.0s" ] ||
	    fail "stderr: $stderr"
}

@test "a README that makes another Secret than the one mounted fails" {
	sed 's|^kubectl create secret generic pp-serve-keys |kubectl create secret generic pp-keys |' \
	    README.md >"$T/README.md"
	run -1 --separate-stderr python3 tests/helpers/k8s_manifests.py \
	    deploy/k8s "$SERVE" man/pp-serve.1 "$T/README.md"
	assert_output ""
	[ "$stderr" = "k8s_manifests: $T/README.md: makes Secret ['pp-keys'], the Deployment mounts pp-serve-keys" ] ||
	    fail "stderr: $stderr"
}

# daily_script: daily.yaml's ConfigMap key daily.sh, unindented
daily_script() {
	awk '/^  daily\.sh: \|$/ { on = 1; next }
	    on && /^    / { sub(/^    /, ""); print; next }
	    on && /^$/ { print; next } on { exit }' deploy/k8s/daily.yaml
}

@test "the CronJob's script promotes once and keeps an equal model out" {
	daily_script >"$T/daily.sh"
	export PP_REGISTRY=$T/data/registry.db PP_FETCH="synth --end 2030-01-01"
	export PP_SYMBOLS=AAA,BBB PP_HISTORY_DAYS=800
	mkdir -p "$T/data"
	run -0 --separate-stderr sh "$T/daily.sh"
	assert_output "daily: pp-daily version 1 is champion"
	run -0 --separate-stderr sh "$T/daily.sh"
	assert_output "daily: pp-daily version 2 kept out"
	[[ "$stderr" == *'kept "champion" at version 1'* ]] ||
	    fail "stderr: $stderr"
	run -0 pp-registry resolve models:/pp-daily@champion --format csv
	assert_line -n 1 -p 'pp-daily,1,'
	run -0 pp-registry runs -e daily --format csv
	[ "$(grep -c FINISHED <<<"$output")" = 2 ] || fail "$output"
}
