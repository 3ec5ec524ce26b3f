#!/usr/bin/env bats
# t9150: examples/k8s, the fan-out by symbol as an Indexed Job, checked by
# tests/helpers/k8s_jobs.py and run as far as this machine allows.
#
# Plan:
#   the manifests   parse and agree: one Indexed Job whose completions are
#                   PP_SHARDS, its script sharding by JOB_COMPLETION_INDEX
#                   with no cs_* or ref(); the train Job takes PP_REGISTRY
#                   from the Secret the README makes; one ReadWriteMany
#                   claim; images, non-root
#   drift           a copy with completions != PP_SHARDS, cs_rank in
#                   shard.sh, no completionMode, or a README making another
#                   Secret fails, one line per problem
#   on the host     shard.sh once per index (JOB_COMPLETION_INDEX 0..3),
#                   then train.sh with a SQLite registry: the merged
#                   features equal the unsharded pipeline's; one run with
#                   tag shards=4, @champion on it; train.sh with a shard
#                   missing fails and says which; shard.sh outside a Job
#                   (no JOB_COMPLETION_INDEX) fails
#   podman          (PP_TEST_PODMAN=1, else skipped, saying so) each index's
#                   pod rendered from the Job's template, JOB_COMPLETION_INDEX
#                   set per pod, played with podman kube play against the
#                   project image with this build's programs, a podman
#                   volume for the claim and a podman secret for the
#                   registry URL; then the train Job's pod; same checks

load helpers/common

FEATS=(-f 'r1=logret(close,1)' -f 'r5=logret(close,5)' -f 'r20=logret(close,20)'
    -t 'y=lead(logret(close,1),1)' --dropna)
SYMS=AAA,BBB,CCC,DDD,EEE,FFF,GGG
END=2026-11-30

setup() {
	common_setup
	/usr/bin/python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml not installed"
	K="/usr/bin/python3 $PP_TOP/tests/helpers/k8s_jobs.py"
	VERSION=$(sed -n 's/^VERSION *= *//p' Makefile)
}

teardown() {
	if [ -n "${id:-}" ]; then
		for f in "$T"/pod*.yaml; do
			if [ -f "$f" ]; then
				podman kube down "$f" >/dev/null 2>&1 || true
			fi
		done
		podman secret rm "$id-registry" >/dev/null 2>&1 || true
		podman volume rm -f "$id-work" >/dev/null 2>&1 || true
		podman rmi -f "localhost/$id:test" >/dev/null 2>&1 || true
	fi
}

# want: the unsharded pipeline's features, sorted, cs_rank after, as CSV
want() {
	pp-fetch synth --seed 7 --symbols "$SYMS" --start 2024-09-21 --end "$END" -o "$T/all.csv"
	pp-features "${FEATS[@]}" -o "$T/f.csv" "$T/all.csv"
	pp sort -o "$T/sorted.csv" "$T/f.csv"
	pp-features -f 'rk5=cs_rank(r5)' -o "$T/want.csv" "$T/sorted.csv"
}

@test "the manifests agree with each other, their scripts and the README" {
	run -0 --separate-stderr $K check examples/k8s "$VERSION"
	assert_output "examples/k8s: 24 checks passed"
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "a drifted copy fails, one line per problem" {
	cp -r examples/k8s "$T/k8s"
	sed -i -e 's/^  completions: 4 /  completions: 3 /' \
	    -e "s/-f 'r20=logret(close,20)' -t/-f 'r20=logret(close,20)' -f 'c=cs_rank(r1)' -t/" \
	    "$T/k8s/shards.yaml"
	sed -i 's/^kubectl create secret generic pp-registry /kubectl create secret generic pp-db /' \
	    "$T/k8s/README.md"
	run -1 --separate-stderr $K check "$T/k8s" "$VERSION"
	assert_output ""
	[ "$stderr" = "k8s_jobs: shards.yaml: completions 3 but PP_SHARDS 4
k8s_jobs: shards.yaml: parallelism not within 1 to completions
k8s_jobs: shards.yaml: shard.sh computes cs_* or ref() on one shard
k8s_jobs: $T/k8s/README.md: makes Secret [('pp-db', 'url')], train.yaml reads {'name': 'pp-registry', 'key': 'url'}" ] ||
	    fail "stderr: $stderr"
	sed -i '/completionMode: Indexed/d' "$T/k8s/shards.yaml"
	run -1 --separate-stderr $K check "$T/k8s" "$VERSION"
	[ "$stderr" = "k8s_jobs: $T/k8s: want one Job with completionMode Indexed" ] ||
	    fail "stderr: $stderr"
}

@test "on the host: a pod per index, then the merge: the unsharded features" {
	$K script examples/k8s shard.sh >"$T/shard.sh"
	$K script examples/k8s train.sh >"$T/train.sh"
	export PP_WORK=$T/work PP_SHARDS=4 PP_FETCH="synth --seed 7" PP_SYMBOLS=$SYMS \
	    PP_HISTORY_DAYS=800 PP_END=$END PP_REGISTRY=$T/registry.db
	run -2 --separate-stderr sh "$T/shard.sh"
	[[ $stderr == *"JOB_COMPLETION_INDEX: not set: run as a pod of an Indexed Job" ]] ||
	    fail "stderr: $stderr"
	for k in 0 1 2; do
		JOB_COMPLETION_INDEX=$k run -0 --separate-stderr sh "$T/shard.sh"
		assert_output "shard $k/4: $PP_WORK/$END/shard-$k/features.ppf"
	done
	run -1 --separate-stderr sh "$T/train.sh"
	[ "$stderr" = "train: $PP_WORK/$END/shard-3/features.ppf: missing; the shards' Job is not complete" ]
	[ ! -e "$PP_REGISTRY" ]
	JOB_COMPLETION_INDEX=3 run -0 --separate-stderr sh "$T/shard.sh"
	run -0 --separate-stderr sh "$T/train.sh"
	run_id=$(sqlite3 "$PP_REGISTRY" 'SELECT run_id FROM runs')
	assert_output "train: run $run_id, pp-fanout@champion moved"
	assert_equal "$(sqlite3 "$PP_REGISTRY" "SELECT value FROM tags WHERE key = 'shards'")" 4
	want
	pp cat -o "$T/got.csv" "$PP_WORK/$END/features.ppf"
	cmp "$T/want.csv" "$T/got.csv"
}

@test "podman kube play: the Job's pod per index, then the train Job's pod" {
	[ "${PP_TEST_PODMAN:-}" = 1 ] ||
	    skip "podman kube play of the Jobs' pods: set PP_TEST_PODMAN=1 (root, podman, the image of make container-check)"
	export CONTAINERS_CONF=${CONTAINERS_CONF:-/var/cache/pp-container/containers.conf}
	base=${PP_TEST_IMAGE:-localhost/pattern-pursuit:check}
	podman image exists "$base" || skip "no image $base: run make container-check first"
	id=pp-t9150-$$
	# This build's programs over the image, so the pods run the code
	# under test (the image itself is built by make container-check).
	mkdir "$T/ctx"
	cp "$PP_BUILD"/bin/pp* "$T/ctx/"
	printf 'FROM %s\nCOPY pp* /usr/local/bin/\n' "$base" >"$T/ctx/Containerfile"
	podman build --pull=never --network none -q -t "localhost/$id:test" "$T/ctx" >/dev/null
	podman volume create "$id-work" >/dev/null
	# The claim is writable by the pods' user, as fsGroup makes it on a cluster.
	podman run --rm --no-healthcheck --network none --user 0 --entrypoint chown \
	    -v "$id-work:/work" "localhost/$id:test" 10001:10001 /work
	$K secret url=/work/registry.db >"$T/secret.json"
	podman secret create "$id-registry" "$T/secret.json" >/dev/null
	$K configmap examples/k8s PP_FETCH="synth --seed 7" PP_SYMBOLS=$SYMS \
	    PP_HISTORY_DAYS=800 PP_END=$END >"$T/configmap.yaml"
	for k in 0 1 2 3; do
		$K pod examples/k8s pp-fanout-shards "$id-shard-$k" "localhost/$id:test" "$id-work" "$k" >"$T/pod$k.yaml"
		podman kube play --configmap "$T/configmap.yaml" "$T/pod$k.yaml" >/dev/null
	done
	for k in 0 1 2 3; do
		run -0 podman wait "$id-shard-$k-shard"
		[ "$output" = 0 ] || fail "pod $k exited $output: $(podman logs "$id-shard-$k-shard" 2>&1)"
		run -0 podman logs "$id-shard-$k-shard"
		assert_output "shard $k/4: /work/$END/shard-$k/features.ppf"
	done
	$K pod examples/k8s pp-fanout-train "$id-train" "localhost/$id:test" "$id-work" |
	    sed "s/^\( *name: \)pp-registry\$/\1$id-registry/" >"$T/pod-train.yaml"
	grep -q "name: $id-registry\$" "$T/pod-train.yaml"
	podman kube play --configmap "$T/configmap.yaml" "$T/pod-train.yaml" >/dev/null
	run -0 podman wait "$id-train-train"
	[ "$output" = 0 ] || fail "train exited $output: $(podman logs "$id-train-train" 2>&1)"
	run -0 podman logs "$id-train-train"
	assert_output --regexp '^train: run [0-9a-f]{32}, pp-fanout@champion moved$'
	want
	podman run --rm --no-healthcheck --network none -v "$id-work:/work" \
	    "localhost/$id:test" cat "/work/$END/features.ppf" >"$T/got.csv"
	cmp "$T/want.csv" "$T/got.csv"
	podman run --rm --no-healthcheck --network none -v "$id-work:/work" \
	    -e PP_REGISTRY=/work/registry.db "localhost/$id:test" \
	    registry runs -e fanout --format csv >"$T/runs.csv"
	[ "$(grep -c FINISHED "$T/runs.csv")" = 1 ]
}
