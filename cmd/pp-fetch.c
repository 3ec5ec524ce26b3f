/*
 * pp-fetch - daily OHLCV bars, normalised: from the synthetic generator,
 * from provider CSV files, from providers over HTTP, or back from the
 * market store.  See man/pp-fetch.1.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "date.h"
#include "frame.h"
#include "http.h"
#include "num.h"
#include "ohlcv.h"
#include "provider.h"
#include "store.h"
#include "synth.h"
#include "util.h"
#include "banned.h"

enum cmd { CMD_SYNTH = 1, CMD_FILE = 2, CMD_HTTP = 4, CMD_STORE = 8 };

enum {
	OPT_SYMBOLS = PP_OPT_FIRST,
	OPT_START,
	OPT_END,
	OPT_SEED,
	OPT_SYMBOL,
	OPT_MAP,
	OPT_ADJUST,
	OPT_PROVIDER,
	OPT_URL,
	OPT_BASE_URL,
	OPT_RETRIES,
	OPT_BACKOFF,
	OPT_TIMEOUT,
	OPT_CONNECT_TIMEOUT,
	OPT_MAX_BYTES,
	OPT_STORE,
	OPT_VERBOSE = 'v'
};

static const struct pp_opt options[] = {
	{ "symbols", OPT_SYMBOLS, "LIST", "comma-separated symbols (synth, http, store)" },
	{ "start", OPT_START, "DATE", "first date, YYYY-MM-DD" },
	{ "end", OPT_END, "DATE", "last date, YYYY-MM-DD" },
	{ "seed", OPT_SEED, "N", "synth: random seed (default 0)" },
	{ "symbol", OPT_SYMBOL, "SYM", "file: the symbol of every row" },
	{ "map", OPT_MAP, "SPEC", "file, http: columns, as date=Day,close=Last" },
	{ "adjust", OPT_ADJUST, NULL, "file, http: scale OHLC by Adj Close / Close" },
	{ "provider", OPT_PROVIDER, "NAME", "http: yahoo, stooq or alphavantage" },
	{ "url", OPT_URL, "TEMPLATE", "http: URL with {symbol}, {start}, {end}" },
	{ "base-url", OPT_BASE_URL, "URL", "http: replace the provider's scheme://host" },
	{ "retries", OPT_RETRIES, "N", "http: retries after the first attempt (4)" },
	{ "backoff-ms", OPT_BACKOFF, "MS", "http: first retry wait, doubling (500)" },
	{ "timeout", OPT_TIMEOUT, "SECONDS", "http: limit for one attempt (60)" },
	{ "connect-timeout", OPT_CONNECT_TIMEOUT, "SECONDS", "http: limit for connecting (10)" },
	{ "max-bytes", OPT_MAX_BYTES, "N", "http: longest answer accepted (67108864)" },
	{ "verbose", OPT_VERBOSE, NULL, "http: one line on stderr per retry" },
	{ "store", OPT_STORE, "DB", "upsert into the market store DB, no output" },
	{ NULL, 0, NULL, NULL }
};

/* Which commands take each option (by id - PP_OPT_FIRST; -v apart). */
static const unsigned allowed[] = {
	[OPT_SYMBOLS - PP_OPT_FIRST] = CMD_SYNTH | CMD_HTTP | CMD_STORE,
	[OPT_START - PP_OPT_FIRST] = CMD_SYNTH | CMD_FILE | CMD_HTTP | CMD_STORE,
	[OPT_END - PP_OPT_FIRST] = CMD_SYNTH | CMD_FILE | CMD_HTTP | CMD_STORE,
	[OPT_SEED - PP_OPT_FIRST] = CMD_SYNTH,
	[OPT_SYMBOL - PP_OPT_FIRST] = CMD_FILE,
	[OPT_MAP - PP_OPT_FIRST] = CMD_FILE | CMD_HTTP,
	[OPT_ADJUST - PP_OPT_FIRST] = CMD_FILE | CMD_HTTP,
	[OPT_PROVIDER - PP_OPT_FIRST] = CMD_HTTP,
	[OPT_URL - PP_OPT_FIRST] = CMD_HTTP,
	[OPT_BASE_URL - PP_OPT_FIRST] = CMD_HTTP,
	[OPT_RETRIES - PP_OPT_FIRST] = CMD_HTTP,
	[OPT_BACKOFF - PP_OPT_FIRST] = CMD_HTTP,
	[OPT_TIMEOUT - PP_OPT_FIRST] = CMD_HTTP,
	[OPT_CONNECT_TIMEOUT - PP_OPT_FIRST] = CMD_HTTP,
	[OPT_MAX_BYTES - PP_OPT_FIRST] = CMD_HTTP,
	[OPT_STORE - PP_OPT_FIRST] = CMD_SYNTH | CMD_FILE | CMD_HTTP,
};

static const char usage[] =
    "synth --symbols LIST --start DATE --end DATE [--seed N] [options]\n"
    "file [--symbol SYM] [--map SPEC] [--adjust] [options] [FILE...]\n"
    "http --provider NAME --symbols LIST [--start DATE] [options]\n"
    "http --url TEMPLATE --symbols LIST [--start DATE] [options]\n"
    "store DB [--symbols LIST] [--start DATE] [--end DATE] [options]";

static const char about[] =
    "Daily OHLCV bars as one frame: symbol,date,open,high,low,close,volume,\n"
    "sorted by symbol then date, validated, duplicates dropped.  With\n"
    "--store DB the bars are upserted into a SQLite market store instead.";

struct fetch {
	struct pp_cli cli;
	enum cmd cmd;
	char **syms;		/* --symbols, sorted */
	size_t nsym;
	int64_t start, end;	/* --start, --end, or the NO_ values */
	uint64_t seed;
	const char *symbol;	/* --symbol */
	struct pp_ohlcv_map map;
	int adjust;
	enum pp_provider prov;	/* --provider, or PP_PROV_URL with --url */
	const char *tmpl;	/* --url */
	const char *base;	/* --base-url */
	const char *apikey;	/* from the provider's environment variable */
	struct pp_http_opts http;
	int verbose;
	const char *store;	/* --store DB, or the store command's DB */
	char **paths;		/* file: the inputs; NULL-terminated */
	size_t npaths;
	/* What runs. */
	struct pp_reader **in;	/* file: the readers */
	struct pp_ohlcv_sorter *sorter;
	struct pp_store *st;
	struct pp_out out;
	struct pp_writer *w;
	struct pp_store_counts counts;
	size_t skipped;
	char first_skip[PP_ERR_MSGMAX];
};

static int64_t
date_arg(const char *name, const char *arg)
{
	int64_t d;

	if (pp_date_parse(arg, strlen(arg), &d) == -1)
		pp_cli_usage_error("--%s: bad value \"%s\": want a date "
		    "YYYY-MM-DD", name, arg);
	return d;
}

static enum cmd
command(const char *name)
{
	static const struct {
		const char *name;
		enum cmd cmd;
	} cmds[] = {
		{ "synth", CMD_SYNTH }, { "file", CMD_FILE },
		{ "http", CMD_HTTP }, { "store", CMD_STORE },
	};
	size_t i;

	if (name == NULL)
		pp_cli_usage_error("no command: want synth, file, http or "
		    "store");
	for (i = 0; i < PP_ARRAY_SIZE(cmds); i++)
		if (strcmp(cmds[i].name, name) == 0)
			return cmds[i].cmd;
	pp_cli_usage_error("unknown command \"%s\": want synth, file, http or "
	    "store", name);
}

static void
parse_options(struct fetch *f, int argc, char *argv[])
{
	struct pp_err err = PP_ERR_INIT;
	unsigned long given = 0;
	const char *optname[PP_ARRAY_SIZE(allowed)] = { NULL };
	const char *symbols = NULL, *provider = NULL;
	size_t i;
	int c;

	pp_cli_init(&f->cli, argv[0], usage, options, PP_CLI_OUTPUT |
	    PP_CLI_INPUT | PP_CLI_SKIPBAD | PP_CLI_PROGRESS);
	f->cli.about = about;
	while ((c = pp_cli_next(&f->cli, argc, argv)) != -1) {
		const char *a = f->cli.optarg;

		if (c >= PP_OPT_FIRST) {
			given |= 1UL << (c - PP_OPT_FIRST);
			for (i = 0; options[i].name; i++)
				if (options[i].id == c)
					optname[c - PP_OPT_FIRST] =
					    options[i].name;
		}
		switch (c) {
		case OPT_SYMBOLS:
			symbols = a;
			break;
		case OPT_START:
			f->start = date_arg("start", a);
			break;
		case OPT_END:
			f->end = date_arg("end", a);
			break;
		case OPT_SEED:
			f->seed = (uint64_t)pp_cli_long("seed", a, 0, LONG_MAX);
			break;
		case OPT_SYMBOL:
			if (!pp_ohlcv_symbol_ok(a, strlen(a)))
				pp_cli_usage_error("--symbol: bad value \"%s\": "
				    "want 1 to 64 bytes, no space or comma", a);
			f->symbol = a;
			break;
		case OPT_MAP:
			if (pp_ohlcv_map_parse(&f->map, a, &err) == -1)
				pp_cli_usage_error("--map: %s", err.msg);
			break;
		case OPT_ADJUST:
			f->adjust = 1;
			break;
		case OPT_PROVIDER:
			provider = a;
			if (pp_provider_parse(a, &f->prov) == -1)
				pp_cli_usage_error("--provider: bad value \"%s\": "
				    "want yahoo, stooq or alphavantage", a);
			break;
		case OPT_URL:
			if (pp_provider_check_template(a, &err) == -1)
				pp_cli_usage_error("%s", err.msg);
			f->tmpl = a;
			break;
		case OPT_BASE_URL:
			if (strncmp(a, "http://", 7) != 0 &&
			    strncmp(a, "https://", 8) != 0)
				pp_cli_usage_error("--base-url: bad value \"%s\": "
				    "want http://HOST or https://HOST", a);
			f->base = a;
			break;
		case OPT_RETRIES:
			f->http.retries = (int)pp_cli_long("retries", a, 0, 100);
			break;
		case OPT_BACKOFF:
			f->http.backoff_ms = pp_cli_long("backoff-ms", a, 0,
			    3600000);
			break;
		case OPT_TIMEOUT:
			f->http.timeout_ms = (long)(1000 *
			    pp_cli_double("timeout", a, 0.001, 86400));
			break;
		case OPT_CONNECT_TIMEOUT:
			f->http.connect_timeout_ms = (long)(1000 *
			    pp_cli_double("connect-timeout", a, 0.001, 86400));
			break;
		case OPT_MAX_BYTES:
			f->http.max_bytes = (size_t)pp_cli_long("max-bytes", a,
			    1, LONG_MAX);
			break;
		case OPT_VERBOSE:
			f->verbose = 1;
			break;
		case OPT_STORE:
			if (*a == '\0')
				pp_cli_usage_error("--store: empty path");
			f->store = a;
			break;
		default:
			pp_cli_usage_error("unknown option");
		}
	}

	f->cmd = command(f->cli.optind < argc ? argv[f->cli.optind] : NULL);
	for (i = 0; i < PP_ARRAY_SIZE(allowed); i++)
		if ((given & (1UL << i)) && !(allowed[i] & f->cmd))
			pp_cli_usage_error("--%s: not an option of %s",
			    optname[i], argv[f->cli.optind]);
	if (f->verbose && f->cmd != CMD_HTTP)
		pp_cli_usage_error("--verbose: not an option of %s",
		    argv[f->cli.optind]);
	f->paths = argv + f->cli.optind + 1;
	f->npaths = (size_t)(argc - f->cli.optind - 1);

	if (symbols && pp_ohlcv_symbols(symbols, &f->syms, &f->nsym, &err))
		pp_cli_usage_error("--symbols: %s", err.msg);
	if (f->start != PP_OHLCV_NO_START && f->end != PP_OHLCV_NO_END &&
	    f->start > f->end)
		pp_cli_usage_error("--start is after --end");
	if (f->store && f->cli.c.output)
		pp_cli_usage_error("--store writes no frame: not with "
		    "--output");

	switch (f->cmd) {
	case CMD_SYNTH:
		if (f->nsym == 0 || f->start == PP_OHLCV_NO_START ||
		    f->end == PP_OHLCV_NO_END)
			pp_cli_usage_error("synth needs --symbols, --start "
			    "and --end");
		if (f->npaths > 0)
			pp_cli_usage_error("synth takes no operands");
		break;
	case CMD_FILE:
		break;
	case CMD_HTTP:
		if (provider && f->tmpl)
			pp_cli_usage_error("--provider and --url exclude each "
			    "other");
		if (!provider && !f->tmpl)
			pp_cli_usage_error("http needs --provider or --url");
		if (f->tmpl && f->base)
			pp_cli_usage_error("--base-url: not with --url");
		if (f->nsym == 0)
			pp_cli_usage_error("http needs --symbols");
		if (f->npaths > 0)
			pp_cli_usage_error("http takes no operands");
		if (f->tmpl) {
			f->prov = PP_PROV_URL;
			if (f->start == PP_OHLCV_NO_START &&
			    strstr(f->tmpl, "{start}"))
				pp_cli_usage_error("--url uses {start}: give "
				    "--start");
		}
		if (pp_provider_key_env(f->prov)) {
			f->apikey = getenv(pp_provider_key_env(f->prov));
			if (f->apikey == NULL || *f->apikey == '\0')
				pp_cli_usage_error("%s needs an API key: set %s",
				    pp_provider_name(f->prov),
				    pp_provider_key_env(f->prov));
		}
		break;
	case CMD_STORE:
		if (f->npaths != 1)
			pp_cli_usage_error("store needs one operand: the "
			    "store's path");
		f->store = f->paths[0];
		break;
	}
}

/* The frame goes to stdout or -o FILE; --store takes the bars instead.
 * The store command reads its store and writes a frame. */
static int
open_output(struct fetch *f, struct pp_err *err)
{
	struct pp_write_opts wo = PP_WRITE_OPTS_INIT;
	struct pp_schema s = PP_SCHEMA_INIT;

	if (f->store != NULL) {
		f->st = pp_store_open(f->store, f->cmd != CMD_STORE, err);
		if (f->st == NULL || f->cmd != CMD_STORE)
			return f->st ? 0 : -1;
	}
	if (pp_out_open(&f->out, f->cli.c.output, err) == -1)
		return -1;
	wo.format = f->cli.c.binary ? PP_FMT_BIN : PP_FMT_CSV;
	wo.compress = f->cli.c.compress;
	pp_ohlcv_schema(&s);
	f->w = pp_writer_new(f->out.fp, f->cli.c.output ? f->cli.c.output :
	    "<stdout>", &s, &wo, err);
	pp_schema_release(&s);
	return f->w ? 0 : -1;
}

static int
open_inputs(struct fetch *f, struct pp_err *err)
{
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	static char *stdin_only[] = { "-", NULL };
	size_t i;

	ro.delim = f->cli.c.delim;
	ro.text_col = f->map.col[PP_OF_SYMBOL];
	if (f->npaths == 0) {
		f->paths = stdin_only;
		f->npaths = 1;
	}
	f->in = pp_xcalloc(f->npaths, sizeof(*f->in));
	for (i = 0; i < f->npaths; i++)
		if ((f->in[i] = pp_reader_open(f->paths[i], &ro, err)) == NULL)
			return -1;
	return 0;
}

/* One bar out: to the frame, or into the store. */
static int
emit(struct fetch *f, const struct pp_ohlcv_row *r, struct pp_err *err)
{
	union pp_cell cells[PP_OHLCV_NCOLS];

	if (f->w == NULL)
		return pp_store_put(f->st, r, &f->counts, err);
	pp_ohlcv_to_cells(r, cells);
	return pp_writer_row(f->w, cells, err);
}

/* Bars of one frame into the sorter; symbol NULL: --symbol, a symbol
 * column, or the file name. */
static int
read_frame(struct fetch *f, struct pp_reader *r, const char *symbol,
    struct pp_err *err)
{
	struct pp_ohlcv_in_opts o = PP_OHLCV_IN_OPTS_INIT;
	struct pp_ohlcv_in *in;
	struct pp_ohlcv_row row;
	char *from_name = NULL;
	int rc;

	o.map = &f->map;
	o.symbol = symbol ? symbol : f->symbol;
	o.fallback = from_name = pp_ohlcv_symbol_from_path(
	    strcmp(pp_reader_name(r), "<stdin>") == 0 ? NULL :
	    pp_reader_name(r));
	o.adjust = f->adjust;
	o.skip_bad = f->cli.c.skip_bad;
	o.start = f->start;
	o.end = f->end;
	in = pp_ohlcv_in_new(r, &o, err);
	free(from_name);
	if (in == NULL)
		return -1;
	while ((rc = pp_ohlcv_in_next(in, &row, err)) == 1)
		if (pp_ohlcv_sorter_add(f->sorter, &row, pp_reader_name(r),
		    pp_ohlcv_in_line(in), err) == -1) {
			rc = -1;
			break;
		}
	if (pp_ohlcv_in_skipped(in) > 0 && f->skipped == 0)
		memcpy(f->first_skip, pp_ohlcv_in_first_skip(in),
		    sizeof(f->first_skip));
	f->skipped += pp_ohlcv_in_skipped(in);
	pp_ohlcv_in_free(in);
	return rc;
}

static void
on_retry(void *arg, const struct pp_http_retry *r)
{
	(void)arg;
	fprintf(stderr, "%s: %s\n", pp_progname, r->msg);
}

/* Today, UTC, in days: the default end of a provider's range. */
static int64_t
today(void)
{
	return (int64_t)time(NULL) / 86400;
}

/* GET one symbol and read the answer like a file named PROVIDER:SYMBOL. */
static int
fetch_symbol(struct fetch *f, const char *sym, struct pp_err *err)
{
	struct pp_provider_req q;
	struct pp_buf url = PP_BUF_INIT, body = PP_BUF_INIT, name = PP_BUF_INIT;
	struct pp_reader *r = NULL;
	FILE *fp = NULL;
	int rc = -1;

	q.prov = f->prov;
	q.tmpl = f->tmpl;
	q.base = f->base;
	q.symbol = sym;
	q.start = f->start;
	q.end = f->end;
	q.today = today();
	q.apikey = f->apikey;
	pp_buf_addf(&name, "%s:%s", pp_provider_name(f->prov), sym);
	if (pp_provider_url(&q, &url, err) == -1 ||
	    pp_http_get(url.data, &f->http, &body, NULL, err) == -1)
		goto out;
	if (pp_provider_check_body(f->prov, sym, body.data, body.len,
	    err) == -1) {
		pp_err_prefix(err, "%s", pp_provider_name(f->prov));
		goto out;
	}
	fp = fmemopen(body.data, body.len, "rb");
	if (fp == NULL) {
		pp_err_errno(err, errno, "%s", name.data);
		goto out;
	}
	r = pp_reader_fopen(fp, name.data, NULL, err);
	if (r != NULL)
		rc = read_frame(f, r, sym, err);
out:
	pp_reader_free(r);
	if (fp)
		fclose(fp);
	pp_buf_release(&name);
	pp_buf_release(&body);
	pp_buf_release(&url);
	return rc;
}

static int
run_synth(struct fetch *f, struct pp_err *err)
{
	struct pp_synth *s;
	struct pp_ohlcv_row row;
	int rc = 0;

	s = pp_synth_new((const char *const *)f->syms, f->nsym, f->start,
	    f->end, f->seed, err);
	if (s == NULL)
		return -1;
	while (rc == 0 && pp_synth_next(s, &row) == 1)
		rc = emit(f, &row, err);
	pp_synth_free(s);
	return rc;
}

static int
run_sorted(struct fetch *f, struct pp_err *err)
{
	struct pp_ohlcv_row row;
	size_t i;
	int rc;

	f->sorter = pp_ohlcv_sorter_new();
	for (i = 0; i < f->npaths || (f->cmd == CMD_HTTP && i < f->nsym); i++)
		if ((f->cmd == CMD_HTTP ? fetch_symbol(f, f->syms[i], err) :
		    read_frame(f, f->in[i], NULL, err)) == -1)
			return -1;
	if (pp_ohlcv_sorter_finish(f->sorter, err) == -1)
		return -1;
	while ((rc = pp_ohlcv_sorter_next(f->sorter, &row, err)) == 1)
		if (emit(f, &row, err) == -1)
			return -1;
	return rc;
}

static int
run_store(struct fetch *f, struct pp_err *err)
{
	struct pp_store_query q;
	struct pp_ohlcv_row row;
	size_t i;
	int rc;

	q.syms = f->syms;
	q.nsym = f->nsym;
	q.start = f->start;
	q.end = f->end;
	if (pp_store_select(f->st, &q, err) == -1)
		return -1;
	while ((rc = pp_store_next(f->st, &row, err)) == 1)
		if (emit(f, &row, err) == -1)
			return -1;
	for (i = 0; rc == 0 && i < f->nsym; i++)
		if (pp_store_found(f->st)[i] == 0)
			pp_cli_warn("%s: no bars for \"%s\"", f->store,
			    f->syms[i]);
	return rc;
}

/* Flush the frame, or commit the load and say what it did. */
static int
finish(struct fetch *f, struct pp_err *err)
{
	if (f->skipped > 0)
		pp_cli_warn("skipped %zu bad row%s (first: %s)", f->skipped,
		    f->skipped == 1 ? "" : "s", f->first_skip);
	if (f->w != NULL)
		return pp_writer_finish(f->w, err) == -1 ||
		    pp_out_commit(&f->out, err) == -1 ? -1 : 0;
	if (pp_store_commit(f->st, err) == -1)
		return -1;
	if (f->counts.replaced > 0)
		pp_cli_warn("%s: %zu bar%s replaced by other values (the latest "
		    "fetch wins)", f->store, f->counts.replaced,
		    f->counts.replaced == 1 ? "" : "s");
	if (f->cli.c.progress)
		fprintf(stderr, "%s: %s: %zu added, %zu unchanged, %zu "
		    "replaced\n", pp_progname, f->store, f->counts.added,
		    f->counts.unchanged, f->counts.replaced);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct fetch f;
	struct pp_err err = PP_ERR_INIT;
	struct pp_http_opts http = PP_HTTP_OPTS_INIT;
	int rc = PP_EXIT_DATA;
	size_t i;

	memset(&f, 0, sizeof(f));
	f.start = PP_OHLCV_NO_START;
	f.end = PP_OHLCV_NO_END;
	f.http = http;
	f.http.on_retry = on_retry;
	parse_options(&f, argc, argv);
	if (!f.verbose)
		f.http.on_retry = NULL;

	if (f.cmd == CMD_FILE && open_inputs(&f, &err) == -1)
		goto out;
	if (open_output(&f, &err) == -1)
		goto out;
	if (f.st && f.cmd != CMD_STORE && pp_store_begin(f.st, &err) == -1)
		goto out;
	if ((f.cmd == CMD_SYNTH ? run_synth(&f, &err) :
	    f.cmd == CMD_STORE ? run_store(&f, &err) :
	    run_sorted(&f, &err)) == -1)
		goto out;
	if (finish(&f, &err) == -1)
		goto out;
	rc = PP_EXIT_OK;
out:
	if (rc != PP_EXIT_OK) {
		pp_cli_report(&err);
		if (err.code != 0)
			rc = err.code;
	}
	pp_writer_free(f.w);
	pp_out_abort(&f.out);
	pp_store_close(f.st);
	pp_ohlcv_sorter_free(f.sorter);
	for (i = 0; f.in && i < f.npaths; i++)
		pp_reader_free(f.in[i]);
	free(f.in);
	pp_ohlcv_map_release(&f.map);
	pp_ohlcv_symbols_free(f.syms, f.nsym);
	pp_cli_release(&f.cli);
	return rc;
}
