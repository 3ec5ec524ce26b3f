/*
 * fuzz_uri.c - a libFuzzer target for MLflow-style model URIs
 * (pp_registry_resolve: models:/NAME/VERSION, models:/NAME@ALIAS,
 * models:/NAME/STAGE, models:/NAME/latest, runs:/RUN_ID[/ARTIFACT]), the
 * -m argument of pp-predict, pp-serve and pp-eval.  `make check` replays
 * tests/fuzz/corpus/uri through it; `make fuzz` runs it FUZZ_TIME seconds
 * under libFuzzer, ASan and UBSan.
 *
 * The input (up to a NUL) is resolved against a small registry
 * (fuzz_registry.h).  Beyond "no crash, no leak, no undefined behaviour",
 * it checks:
 *   - a refusal is one printable line, a usage error (malformed) or a
 *     data error (names nothing), and leaves nothing in the reference;
 *   - a resolved reference names a run of 32 hex digits, and a version
 *     >= 1 exactly when it names a model; and the same thing resolves
 *     again through its canonical forms (models:/NAME/VERSION and
 *     runs:/RUN_ID/ARTIFACT), and loads as a model (no partial success:
 *     what resolves can be read).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "util.h"
#include "fuzz_registry.h"
#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
die(const char *what, const char *uri, const char *msg)
{
	fprintf(stderr, "%s: \"%s\": %s\n", what, uri, msg ? msg : "");
	abort();
}

static void
same_ref(const char *uri, const struct pp_registry_ref *a)
{
	struct pp_registry_ref b = PP_REGISTRY_REF_INIT;
	struct pp_err e = PP_ERR_INIT;

	if (pp_registry_resolve(fuzz_reg, uri, &b, &e) == -1)
		die("the canonical form does not resolve", uri, e.msg);
	if (strcmp(a->run_id, b.run_id) != 0 || (a->artifact == NULL) !=
	    (b.artifact == NULL) || (a->artifact != NULL &&
	    strcmp(a->artifact, b.artifact) != 0))
		die("the canonical form names something else", uri, NULL);
	pp_registry_ref_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp_registry_ref ref = PP_REGISTRY_REF_INIT;
	struct pp_err e = PP_ERR_INIT;
	struct pp_buf b = PP_BUF_INIT, art = PP_BUF_INIT;
	char *uri;
	size_t i;

	if (size > 1024)
		return 0;
	fuzz_reg_setup();
	uri = pp_xstrndup((const char *)data, size);
	if (pp_registry_resolve(fuzz_reg, uri, &ref, &e) == -1) {
		if (!fuzz_one_line(e.msg) || (e.code != PP_EXIT_USAGE &&
		    e.code != PP_EXIT_DATA))
			die("bad refusal", uri, e.msg);
		goto out;
	}
	if (!pp_registry_is_uri(uri))
		die("resolved what is not a URI", uri, NULL);
	for (i = 0; i < PP_RUN_ID_LEN; i++)
		if (strchr("0123456789abcdef", ref.run_id[i]) == NULL ||
		    ref.run_id[i] == '\0')
			die("bad run id", uri, ref.run_id);
	if ((ref.model != NULL) != (ref.version >= 1))
		die("a model without a version, or a version without one",
		    uri, NULL);
	if (ref.model != NULL) {
		pp_buf_addf(&b, "models:/%s/%lld", ref.model,
		    (long long)ref.version);
		same_ref(b.data, &ref);
	}
	if (ref.artifact != NULL) {
		pp_buf_reset(&b);
		pp_buf_addf(&b, "runs:/%s/%s", ref.run_id, ref.artifact);
		same_ref(b.data, &ref);
		if (pp_registry_load(fuzz_reg, uri, &art, NULL, &e) == -1)
			die("resolves but does not load", uri, e.msg);
	}
out:
	pp_registry_ref_release(&ref);
	pp_buf_release(&b);
	pp_buf_release(&art);
	free(uri);
	return 0;
}
