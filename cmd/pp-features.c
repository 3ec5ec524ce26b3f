/*
 * pp-features - technical indicators and targets per symbol, streaming:
 * read a frame, compute the -f features and --target targets (lib/expr.h)
 * for each symbol with the engine of lib/feat.h, write the frame with them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "expr.h"
#include "feat.h"
#include "frame.h"
#include "lineage.h"
#include "util.h"
#include "banned.h"

#define USAGE \
	"[-f NAME=EXPR]... [-t NAME=EXPR]... [-F FILE] [--only] [--dropna]\n" \
	"[--line-buffered] [--threads N] [-B] [-o FILE] [FILE]\n" \
	"[-f NAME=EXPR]... [-t NAME=EXPR]... [-F FILE] --print-spec\n" \
	"--list"

/* Read a whole spec file (small) and add its definitions. */
static int
add_spec_file(struct pp_spec *s, const char *path, struct pp_err *err)
{
	struct pp_buf b = PP_BUF_INIT;
	FILE *fp = pp_in_open(path, err);
	int rc = -1, got;

	if (fp == NULL)
		return -1;
	/* Bounded: -F /dev/zero read forever. */
	got = pp_buf_read_fp(&b, fp, PP_SPEC_FILE_MAX);
	if (got == -1)
		pp_err_errno(err, errno, "%s: read error", pp_in_name(path));
	else if (got == 1)
		pp_err_set(err, PP_EXIT_DATA, "%s: longer than %d bytes: not "
		    "a spec file", pp_in_name(path), PP_SPEC_FILE_MAX);
	else
		rc = pp_spec_add_file(s, b.data, b.len, pp_in_name(path), err);
	if (fp != stdin)
		fclose(fp);
	pp_buf_release(&b);
	return rc;
}

struct features_cmd {
	struct pp_spec *spec;	/* -f, --target, -F, in order */
	long nf, nt;		/* -f and --target given so far */
	struct pp_feat_opts fo;	/* --only, --dropna */
	int list;		/* --list */
	int print_spec;		/* --print-spec */
	int linebuf;		/* --line-buffered */
	const char *input;	/* the frame, NULL for stdin */
};

/* -f, --target and -F add to the spec in command-line order; a
 * definition that does not parse, or a spec file that cannot be read, is
 * a usage error (the message has the definition and a caret). */
static int
add_feature(void *v, const char *arg, struct pp_err *err)
{
	struct features_cmd *o = v;

	return pp_spec_add(o->spec, 0, arg, "-f", ++o->nf, err);
}

static int
add_target(void *v, const char *arg, struct pp_err *err)
{
	struct features_cmd *o = v;

	return pp_spec_add(o->spec, 1, arg, "--target", ++o->nt, err);
}

static int
add_spec(void *v, const char *arg, struct pp_err *err)
{
	struct features_cmd *o = v;

	return add_spec_file(o->spec, arg, err);
}

static void
parse_options(int argc, char *argv[], struct pp_cli *cli,
    struct features_cmd *o)
{
	const struct pp_option opts[] = {
		PP_OPT_CALLBACK('f', "feature", o, add_feature, "NAME=EXPR",
		    "add a feature (repeatable)"),
		PP_OPT_CALLBACK('t', "target", o, add_target, "NAME=EXPR",
		    "add a target; only targets may use lead()"),
		PP_OPT_CALLBACK('F', "spec", o, add_spec, "FILE",
		    "read definitions from FILE, one a line"),
		PP_OPT_FLAG(0, "only", &o->fo.only,
		    "keep only symbol, date, features and targets"),
		PP_OPT_FLAG(0, "dropna", &o->fo.dropna,
		    "drop rows where a feature or target is missing"),
		PP_OPT_FLAG(0, "list", &o->list, "list the functions and exit"),
		PP_OPT_FLAG(0, "print-spec", &o->print_spec, "print the "
		    "canonical spec of the definitions and exit"),
		PP_OPT_FLAG(0, "line-buffered", &o->linebuf,
		    "flush the output after every input row"),
		PP_OPT_END
	};
	int i;

	pp_cli_init_options(cli, argv[0], USAGE, opts, PP_CLI_OUTPUT |
	    PP_CLI_INPUT | PP_CLI_SKIPBAD | PP_CLI_PROGRESS | PP_CLI_THREADS);
	cli->about = "Compute features and targets per symbol; see "
	    "pp-features(1).";
	o->spec = pp_spec_new();	/* after pp_cli_init: out of memory
					   exits 1 with the program's name */
	i = pp_cli_parse(cli, argc, argv);
	if (o->list)
		return;
	if (o->print_spec && argc > i)
		pp_cli_usage_error("--print-spec reads no frame");
	if (argc - i > 1)
		pp_cli_usage_error("one input at most, got %d", argc - i);
	if (argc > i)
		o->input = argv[i];
	if (pp_spec_count(o->spec) == 0)
		pp_cli_usage_error("no features: give -f NAME=EXPR, --target "
		    "NAME=EXPR or -F FILE");
}

static int
print_list(struct pp_err *err)
{
	struct pp_buf b = PP_BUF_INIT;

	pp_expr_list(&b);
	/* A list longer than stdout's buffer is written, and fails, inside
	 * fwrite: keep that errno, which a later flush no longer knows. */
	if (fwrite(b.data, 1, b.len, stdout) != b.len) {
		pp_err_errno(err, errno, "<stdout>: write error");
		pp_buf_release(&b);
		return PP_EXIT_DATA;
	}
	pp_buf_release(&b);
	return pp_cli_flush_stdout(err) == 0 ? PP_EXIT_OK : PP_EXIT_DATA;
}

/* --print-spec: the definitions checked against the columns they read. */
static int
print_spec(struct pp_spec *spec, struct pp_err *err)
{
	struct pp_schema cols = PP_SCHEMA_INIT;
	struct pp_buf b = PP_BUF_INIT;
	struct pp_plan *p;
	int rc = PP_EXIT_OK;

	pp_spec_columns(spec, 1, &cols);
	if ((p = pp_plan_compile(spec, &cols, err)) == NULL)
		rc = err->code;
	else
		pp_spec_print(spec, 1, &b);
	if (rc == PP_EXIT_OK && (fwrite(b.data, 1, b.len, stdout) != b.len ||
	    fflush(stdout) != 0)) {
		pp_err_errno(err, errno, "<stdout>: write error");
		rc = PP_EXIT_DATA;
	}
	pp_plan_free(p);
	pp_buf_release(&b);
	pp_schema_release(&cols);
	return rc;
}

/* The output's metadata: the input's, this program's line, the spec. */
static int
make_meta(struct pp_meta *m, const struct pp_reader *in, const char *path,
    const struct pp_spec *spec, const struct pp_plan *plan, int argc,
    char *argv[], struct pp_err *err)
{
	pp_meta_copy(m, pp_reader_meta(in));
	pp_lineage_producer(m, pp_progname, PP_VERSION, argc, argv);
	pp_lineage_spec(m, spec, pp_plan_lead(plan));
	return pp_lineage_source(m, path, err);
}

/* How the read loop runs: live input flushes as it goes (see feat.h). */
static void
set_loop(struct pp_feat_loop *l, const struct features_cmd *o,
    const struct pp_cli *cli, FILE *infp)
{
	struct stat st;

	l->live = o->linebuf || (fstat(fileno(infp), &st) == 0 &&
	    !S_ISREG(st.st_mode));
	l->linebuf = o->linebuf;
	l->in_fd = fileno(infp);
	l->skip_bad = cli->c.skip_bad;
	l->threads = cli->c.threads;
	/* Rows written to a terminal are their own progress. */
	if (cli->c.progress && (cli->c.output != NULL ||
	    !isatty(STDOUT_FILENO)))
		l->progress = pp_cli_progress;
}

/* After the last row: the final row count (with progress) and the rows
 * --skip-bad left out. */
static void
report_loop(const struct pp_feat_loop *l)
{
	if (l->progress != NULL)
		pp_cli_progress(l->nread, "rows", 1);
	if (l->skipped > 0)
		pp_cli_warn("skipped %ld bad rows", l->skipped);
}

int
main(int argc, char *argv[])
{
	struct features_cmd o = { NULL, 0, 0, PP_FEAT_OPTS_INIT, 0, 0, 0,
	    NULL };
	struct pp_cli cli;
	struct pp_err err = PP_ERR_INIT;
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_write_opts wo = PP_WRITE_OPTS_INIT;
	struct pp_feat_loop loop = PP_FEAT_LOOP_INIT;
	struct pp_out out = PP_OUT_INIT;
	struct pp_meta meta = PP_META_INIT;
	struct pp_plan *plan = NULL;
	struct pp_feat *feat = NULL;
	struct pp_reader *in = NULL;
	FILE *infp = NULL;
	int rc = PP_EXIT_DATA;

	parse_options(argc, argv, &cli, &o);
	if (o.list || o.print_spec) {
		rc = o.list ? print_list(&err) : print_spec(o.spec, &err);
		goto out;
	}
	ro.delim = cli.c.delim;
	pp_cli_write_opts(&cli, &wo);

	/* Inputs and output first, then the spec against the columns. */
	if ((infp = pp_in_open(o.input, &err)) == NULL ||
	    (in = pp_reader_fopen(infp, pp_in_name(o.input), &ro, &err)) == NULL)
		goto out;
	if ((plan = pp_plan_compile(o.spec, pp_reader_schema(in), &err)) ==
	    NULL)
		goto out;
	if (cli.c.binary && make_meta(&meta, in, o.input, o.spec, plan, argc,
	    argv, &err) == -1)
		goto out;
	wo.meta = &meta;
	if (pp_out_open(&out, cli.c.output, &err) == -1)
		goto out;
	feat = pp_feat_new(plan, pp_reader_schema(in), &o.fo, pp_feat_write,
	    &loop, &err);
	if (feat == NULL)
		goto out;
	set_loop(&loop, &o, &cli, infp);
	wo.thread = !loop.live;	/* in bulk, format on other cores */
	/* CSV output is formatted on threads of its own, and formatting
	 * costs about twice the engine: by default the engine gets the
	 * processors the formatting threads leave, one at least.  (On two,
	 * sharding the engine as well only added hand-offs between seven
	 * threads: 12% more CPU for the same work, issue #19.) */
	if (!cli.c.threads_given && !cli.c.binary && wo.thread) {
		int left = loop.threads - pp_frame_csv_threads();

		loop.threads = left > 1 ? left : 1;
	}
	loop.w = pp_writer_new(out.fp, cli.c.output ? cli.c.output :
	    "<stdout>", pp_feat_schema(feat), &wo, &err);
	if (loop.w == NULL)
		goto out;

	if (pp_feat_run(feat, in, &loop, &err) == -1 ||
	    pp_writer_finish(loop.w, &err) == -1 ||
	    pp_out_commit(&out, &err) == -1)
		goto out;
	report_loop(&loop);
	rc = PP_EXIT_OK;
out:
	if (rc != PP_EXIT_OK) {
		rc = pp_cli_exit_status(&err);
		pp_cli_report(&err);
	}
	pp_writer_free(loop.w);
	pp_out_abort(&out);
	pp_feat_free(feat);
	pp_plan_free(plan);
	pp_meta_release(&meta);
	pp_reader_free(in);
	if (infp != NULL && infp != stdin)
		fclose(infp);
	pp_spec_free(o.spec);
	pp_cli_release(&cli);
	return rc;
}
