/*
 * pp-features - technical indicators and targets per symbol, streaming:
 * read a frame, compute the -f features and --target targets (lib/expr.h)
 * for each symbol with the engine of lib/feat.h, write the frame with them.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "expr.h"
#include "feat.h"
#include "frame.h"
#include "util.h"
#include "banned.h"

enum {
	OPT_FEATURE = 'f',
	OPT_TARGET = 't',
	OPT_SPEC = 'F',
	OPT_ONLY = PP_OPT_FIRST,
	OPT_DROPNA,
	OPT_LIST,
	OPT_LINEBUF
};

static const struct pp_opt options[] = {
	{ "feature", OPT_FEATURE, "NAME=EXPR", "add a feature (repeatable)" },
	{ "target", OPT_TARGET, "NAME=EXPR", "add a target; only targets may use lead()" },
	{ "spec", OPT_SPEC, "FILE", "read definitions from FILE, one a line" },
	{ "only", OPT_ONLY, NULL, "keep only symbol, date, features and targets" },
	{ "dropna", OPT_DROPNA, NULL, "drop rows where a feature or target is missing" },
	{ "list", OPT_LIST, NULL, "list the functions and exit" },
	{ "line-buffered", OPT_LINEBUF, NULL, "flush the output after every input row" },
	{ NULL, 0, NULL, NULL }
};

#define USAGE \
	"[-f NAME=EXPR]... [-t NAME=EXPR]... [-F FILE] [--only] [--dropna]\n" \
	"[--line-buffered] [-B] [-o FILE] [FILE]\n" \
	"--list"

struct run {
	struct pp_writer *w;
	long emitted;		/* rows written since the last flush */
	int werr;		/* writing failed */
};

/* Rows from the engine go straight to the frame writer. */
static int
write_row(void *ctx, const union pp_cell *row, struct pp_err *err)
{
	struct run *r = ctx;

	r->emitted++;
	if (pp_writer_row(r->w, row, err) == -1) {
		r->werr = 1;
		return -1;
	}
	return 0;
}

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

/* 1 if more input is waiting on fd now. */
static int
input_waiting(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 0) > 0;
}

int
main(int argc, char *argv[])
{
	struct pp_cli cli;
	struct pp_err err = PP_ERR_INIT;
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_write_opts wo = PP_WRITE_OPTS_INIT;
	struct pp_feat_opts fo = PP_FEAT_OPTS_INIT;
	struct pp_out out = PP_OUT_INIT;
	struct pp_spec *spec = pp_spec_new();
	struct pp_plan *plan = NULL;
	struct pp_feat *feat = NULL;
	struct pp_reader *in = NULL;
	struct run run = { NULL, 0, 0 };
	const union pp_cell *row;
	const char *path = NULL;
	FILE *infp = NULL;
	struct stat st;
	long nf = 0, nt = 0, skipped = 0;
	size_t nread = 0;	/* rows read, bad ones too */
	int show;		/* show progress */
	int c, got, rc = PP_EXIT_USAGE, linebuf = 0, list = 0, live = 0;

	pp_cli_init(&cli, argv[0], USAGE, options,
	    PP_CLI_OUTPUT | PP_CLI_INPUT | PP_CLI_SKIPBAD | PP_CLI_PROGRESS);
	cli.about = "Compute features and targets per symbol; see pp-features(1).";
	while ((c = pp_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case OPT_FEATURE:
		case OPT_TARGET:
			if (pp_spec_add(spec, c == OPT_TARGET, cli.optarg,
			    c == OPT_TARGET ? "--target" : "-f",
			    c == OPT_TARGET ? ++nt : ++nf, &err) == -1)
				goto out;
			break;
		case OPT_SPEC:
			if (add_spec_file(spec, cli.optarg, &err) == -1)
				goto out;
			break;
		case OPT_ONLY: fo.only = 1; break;
		case OPT_DROPNA: fo.dropna = 1; break;
		case OPT_LIST: list = 1; break;
		case OPT_LINEBUF: linebuf = 1; break;
		default:
			pp_cli_usage_error("unknown option");
		}
	}
	if (list) {
		struct pp_buf b = PP_BUF_INIT;

		pp_expr_list(&b);
		fwrite(b.data, 1, b.len, stdout);
		pp_buf_release(&b);
		rc = pp_cli_flush_stdout(&err) == 0 ? PP_EXIT_OK :
		    PP_EXIT_DATA;
		goto out;
	}
	if (argc - cli.optind > 1)
		pp_cli_usage_error("one input at most, got %d",
		    argc - cli.optind);
	if (argc > cli.optind)
		path = argv[cli.optind];
	if (pp_spec_count(spec) == 0)
		pp_cli_usage_error("no features: give -f NAME=EXPR, --target "
		    "NAME=EXPR or -F FILE");
	ro.delim = wo.delim = cli.c.delim;
	wo.format = cli.c.binary ? PP_FMT_BIN : PP_FMT_CSV;
	wo.compress = cli.c.compress;

	/* Inputs and output first, then the spec against the columns. */
	rc = PP_EXIT_DATA;
	if ((infp = pp_in_open(path, &err)) == NULL ||
	    (in = pp_reader_fopen(infp, pp_in_name(path), &ro, &err)) == NULL)
		goto out;
	if ((plan = pp_plan_compile(spec, pp_reader_schema(in), &err)) == NULL) {
		rc = err.code;
		goto out;
	}
	if (pp_out_open(&out, cli.c.output, &err) == -1)
		goto out;
	feat = pp_feat_new(plan, pp_reader_schema(in), &fo, write_row, &run,
	    &err);
	if (feat == NULL)
		goto out;
	live = linebuf || (fstat(fileno(infp), &st) == 0 && !S_ISREG(st.st_mode));
	/* In bulk, format the output on a second core. */
	wo.thread = !live;
	run.w = pp_writer_new(out.fp, cli.c.output ? cli.c.output :
	    "<stdout>", pp_feat_schema(feat), &wo, &err);
	if (run.w == NULL)
		goto out;

	/* Rows written to a terminal are their own progress. */
	show = cli.c.progress && (cli.c.output != NULL ||
	    !isatty(STDOUT_FILENO));
	while ((got = pp_reader_next(in, &row, &err)) != 0) {
		if (++nread % 65536 == 0 && show)
			pp_cli_progress(nread, "rows", 0);
		if (got == -1 && !(cli.c.skip_bad && pp_reader_can_skip(in)))
			goto out;
		if (got == 1 && pp_feat_push(feat, row, &err) == -1) {
			/* A write failed, or the engine refused the row (and
			 * changed nothing, so it may be skipped). */
			if (run.werr)
				goto out;
			pp_err_prefix(&err, "%s:%ld", pp_reader_name(in),
			    pp_reader_line(in));
			if (!cli.c.skip_bad)
				goto out;
			got = -1;
		}
		if (got == -1) {
			skipped++;
			pp_err_clear(&err);
			continue;
		}
		/* A live feed sees each row as soon as it is known. */
		if (live && run.emitted > 0 &&
		    (linebuf || !input_waiting(fileno(infp)))) {
			if (pp_writer_flush(run.w, &err) == -1)
				goto out;
			run.emitted = 0;
		}
	}
	if (pp_feat_finish(feat, &err) == -1 ||
	    pp_writer_finish(run.w, &err) == -1 ||
	    pp_out_commit(&out, &err) == -1)
		goto out;
	if (show)
		pp_cli_progress(nread, "rows", 1);
	if (skipped > 0)
		pp_cli_warn("skipped %ld bad rows", skipped);
	rc = PP_EXIT_OK;
out:
	if (rc != PP_EXIT_OK)
		pp_cli_report(&err);
	pp_writer_free(run.w);
	pp_out_abort(&out);
	pp_feat_free(feat);
	pp_plan_free(plan);
	pp_reader_free(in);
	if (infp != NULL && infp != stdin)
		fclose(infp);
	pp_spec_free(spec);
	pp_cli_release(&cli);
	return rc;
}
