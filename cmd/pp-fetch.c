/*
 * pp-fetch - daily OHLCV bars, normalised: from the synthetic generator,
 * from provider CSV files, from providers over HTTP, or back from the
 * market store.  See man/pp-fetch.1.
 */
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "date.h"
#include "frame.h"
#include "http.h"
#include "lineage.h"
#include "num.h"
#include "ohlcv.h"
#include "provider.h"
#include "shard.h"
#include "store.h"
#include "synth.h"
#include "util.h"
#include "banned.h"

enum cmd { CMD_SYNTH = 1, CMD_FILE = 2, CMD_HTTP = 4, CMD_STORE = 8 };

static const char usage[] =
    "synth --symbols LIST --start DATE --end DATE [--seed N] [options]\n"
    "file [--symbol SYM | --symbol-from-name RE] [--map SPEC] "
    "[--date-format FMT] [--intraday [--tz ZONE]] [--adjust] [options] "
    "[FILE...]\n"
    "http --provider NAME --symbols LIST [--start DATE] [options]\n"
    "http --url TEMPLATE --symbols LIST [--start DATE] [options]\n"
    "store DB [--symbols LIST] [--start DATE] [--end DATE] [--intraday] "
    "[options]";

static const char about[] =
    "Daily OHLCV bars as one frame: symbol,date,open,high,low,close,volume,\n"
    "sorted by symbol then date, validated, duplicates dropped.  With\n"
    "--store DB the bars are upserted into a market store instead: a SQLite\n"
    "file, or a PostgreSQL database named by a postgresql:// URL.";

struct fetch {
	struct pp_cli cli;
	enum cmd cmd;
	const char *symbols;	/* --symbols as given */
	char **syms;		/* --symbols, sorted */
	size_t nsym;
	int64_t start, end;	/* --start, --end, or the NO_ values */
	long seed;
	const char *symbol;	/* --symbol */
	regex_t name_re;	/* --symbol-from-name, if have_re */
	int have_re;
	const char *date_fmt;	/* --date-format, or NULL */
	int intraday;		/* --intraday */
	const char *tz_spec;	/* --tz */
	struct pp_tz *tz;	/* --tz, loaded */
	struct pp_ohlcv_map map;
	int adjust;
	const char *provider;	/* --provider as given */
	enum pp_provider prov;	/* --provider, or PP_PROV_URL with --url */
	const char *tmpl;	/* --url */
	const char *base;	/* --base-url */
	const char *apikey;	/* from the provider's environment variable */
	struct pp_http_opts http;
	long retries;		/* --retries, into http */
	long max_bytes;		/* --max-bytes, into http */
	double timeout, connect_timeout; /* --timeout, --connect-timeout (s) */
	int verbose;
	const char *store;	/* --store DB, or the store command's DB */
	struct pp_shard shard;	/* --shard I/N; every symbol by default */
	char **paths;		/* file: the inputs; NULL-terminated */
	size_t npaths;
	/* What runs. */
	struct pp_reader **in;	/* file: the readers */
	struct pp_ohlcv_sorter *sorter;
	struct pp_store *st;
	struct pp_out out;
	struct pp_writer *w;
	struct pp_meta meta;	/* the output's metadata (binary) */
	struct pp_store_counts counts;
	size_t skipped;
	char first_skip[PP_ERR_MSGMAX];
};

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

static int
set_symbol(void *v, const char *a, struct pp_err *err)
{
	if (!pp_ohlcv_symbol_ok(a, strlen(a)))
		return pp_err_set(err, PP_EXIT_USAGE, "--symbol: bad value "
		    "\"%s\": want 1 to 64 bytes, no space or comma", a);
	*(const char **)v = a;
	return 0;
}

static int
set_name_re(void *v, const char *a, struct pp_err *err)
{
	struct fetch *f = v;
	int rc;

	if (f->have_re)
		regfree(&f->name_re);
	if ((rc = regcomp(&f->name_re, a, REG_EXTENDED)) != 0) {
		char why[128];

		regerror(rc, &f->name_re, why, sizeof(why));
		return pp_err_set(err, PP_EXIT_USAGE, "--symbol-from-name: "
		    "bad regular expression \"%s\": %s", a, why);
	}
	f->have_re = 1;
	return 0;
}

/* "epoch" and "%s" mean seconds since the epoch; else a date layout. */
static int
set_date_fmt(void *v, const char *a, struct pp_err *err)
{
	const char *why;

	if (strcmp(a, "epoch") == 0 || strcmp(a, "%s") == 0) {
		*(const char **)v = PP_DATE_EPOCH;
		return 0;
	}
	if (pp_date_fmt_check(a, &why) == -1)
		return pp_err_set(err, PP_EXIT_USAGE, "--date-format: bad "
		    "value \"%s\": %s", a, why);
	*(const char **)v = a;
	return 0;
}

static int
set_map(void *v, const char *a, struct pp_err *err)
{
	if (pp_ohlcv_map_parse(v, a, err) == -1)
		return pp_err_prefix(err, "--map");
	return 0;
}

static int
set_provider(void *v, const char *a, struct pp_err *err)
{
	struct fetch *f = v;

	f->provider = a;
	if (pp_provider_parse(a, &f->prov) == -1)
		return pp_err_set(err, PP_EXIT_USAGE, "--provider: bad value "
		    "\"%s\": want yahoo, stooq or alphavantage", a);
	return 0;
}

static int
set_url(void *v, const char *a, struct pp_err *err)
{
	if (pp_provider_check_template(a, err) == -1)
		return -1;
	*(const char **)v = a;
	return 0;
}

static int
set_shard(void *v, const char *a, struct pp_err *err)
{
	if (pp_shard_parse(a, v, err) == -1)
		return pp_err_prefix(err, "--shard");
	return 0;
}

static int
set_base_url(void *v, const char *a, struct pp_err *err)
{
	if (strncmp(a, "http://", 7) != 0 && strncmp(a, "https://", 8) != 0)
		return pp_err_set(err, PP_EXIT_USAGE, "--base-url: bad value "
		    "\"%s\": want http://HOST or https://HOST", a);
	*(const char **)v = a;
	return 0;
}

/* What the http command needs besides its options. */
static void
check_http(struct fetch *f)
{
	pp_cli_excludes(&f->cli, "provider", "url");
	if (!f->provider && !f->tmpl)
		pp_cli_usage_error("http needs --provider or --url");
	if (f->tmpl && f->base)
		pp_cli_usage_error("--base-url: not with --url");
	if (f->nsym == 0)
		pp_cli_usage_error("http needs --symbols");
	if (f->npaths > 0)
		pp_cli_usage_error("http takes no operands");
	if (f->tmpl) {
		f->prov = PP_PROV_URL;
		if (f->start == PP_OHLCV_NO_START && strstr(f->tmpl, "{start}"))
			pp_cli_usage_error("--url uses {start}: give --start");
	}
	if (pp_provider_key_env(f->prov)) {
		f->apikey = getenv(pp_provider_key_env(f->prov));
		if (f->apikey == NULL || *f->apikey == '\0')
			pp_cli_usage_error("%s needs an API key: set %s",
			    pp_provider_name(f->prov),
			    pp_provider_key_env(f->prov));
	}
	f->http.retries = (int)f->retries;
	if (pp_cli_given(&f->cli, "max-bytes"))
		f->http.max_bytes = (size_t)f->max_bytes;
	if (pp_cli_given(&f->cli, "timeout"))
		f->http.timeout_ms = (long)(1000 * f->timeout);
	if (pp_cli_given(&f->cli, "connect-timeout"))
		f->http.connect_timeout_ms = (long)(1000 * f->connect_timeout);
}

/* The checks between options and operands, in the order their messages
 * are tested. */
static void
check_options(struct fetch *f)
{
	struct pp_err err = PP_ERR_INIT;

	if (f->symbols && pp_ohlcv_symbols(f->symbols, &f->syms, &f->nsym,
	    &err))
		pp_cli_usage_error("--symbols: %s", err.msg);
	if (f->start != PP_OHLCV_NO_START && f->end != PP_OHLCV_NO_END &&
	    f->start > f->end)
		pp_cli_usage_error("--start is after --end");
	if (f->tz_spec != NULL && !f->intraday)
		pp_cli_usage_error("--tz: for --intraday bars");
	if (f->tz_spec != NULL && (f->tz = pp_tz_load(f->tz_spec,
	    &err)) == NULL)
		pp_cli_usage_error("%s", err.msg);
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
		pp_cli_excludes(&f->cli, "symbol", "symbol-from-name");
		break;
	case CMD_HTTP:
		check_http(f);
		break;
	case CMD_STORE:
		if (f->npaths != 1)
			pp_cli_usage_error("store needs one operand: the "
			    "store's path");
		f->store = f->paths[0];
		break;
	}
}

static void
parse_options(struct fetch *f, int argc, char *argv[])
{
	const unsigned ALL_BUT_STORE = CMD_SYNTH | CMD_FILE | CMD_HTTP;
	const struct pp_option opts[] = {
		PP_OPT_STRING(0, "symbols", &f->symbols, "LIST",
		    "comma-separated symbols (synth, http, store)",
		    .cmds = CMD_SYNTH | CMD_HTTP | CMD_STORE),
		PP_OPT_DATE(0, "start", &f->start, "DATE",
		    "first date, YYYY-MM-DD"),
		PP_OPT_DATE(0, "end", &f->end, "DATE", "last date, YYYY-MM-DD"),
		PP_OPT_LONG(0, "seed", &f->seed, 0, LONG_MAX, "N",
		    "synth: random seed (default 0)", .cmds = CMD_SYNTH),
		PP_OPT_CALLBACK(0, "symbol", &f->symbol, set_symbol, "SYM",
		    "file: the symbol of every row", .cmds = CMD_FILE),
		PP_OPT_CALLBACK(0, "symbol-from-name", f, set_name_re, "RE",
		    "file: the symbol is RE's first group in the file name",
		    .cmds = CMD_FILE),
		PP_OPT_CALLBACK(0, "date-format", &f->date_fmt, set_date_fmt,
		    "FMT", "file, http: dates as FMT (%m/%d/%Y, %d.%m.%Y) or "
		    "epoch seconds", .cmds = CMD_FILE | CMD_HTTP),
		PP_OPT_FLAG(0, "intraday", &f->intraday,
		    "file, http, store: bars with a time of day; date a "
		    "date-time", .cmds = CMD_FILE | CMD_HTTP | CMD_STORE),
		PP_OPT_STRING(0, "tz", &f->tz_spec, "ZONE",
		    "file, http: with --intraday, the zone of times without "
		    "an offset (America/New_York, -05:00)",
		    .cmds = CMD_FILE | CMD_HTTP),
		PP_OPT_CALLBACK(0, "map", &f->map, set_map, "SPEC",
		    "file, http: columns, as date=Day,close=Last",
		    .cmds = CMD_FILE | CMD_HTTP),
		PP_OPT_FLAG(0, "adjust", &f->adjust,
		    "file, http: scale OHLC by Adj Close / Close",
		    .cmds = CMD_FILE | CMD_HTTP),
		PP_OPT_CALLBACK(0, "provider", f, set_provider, "NAME",
		    "http: yahoo, stooq or alphavantage", .cmds = CMD_HTTP),
		PP_OPT_CALLBACK(0, "url", &f->tmpl, set_url, "TEMPLATE",
		    "http: URL with {symbol}, {start}, {end}",
		    .cmds = CMD_HTTP),
		PP_OPT_CALLBACK(0, "base-url", &f->base, set_base_url, "URL",
		    "http: replace the provider's scheme://host",
		    .cmds = CMD_HTTP),
		PP_OPT_LONG(0, "retries", &f->retries, 0, 100, "N",
		    "http: retries after the first attempt (4)",
		    .cmds = CMD_HTTP),
		PP_OPT_LONG(0, "backoff-ms", &f->http.backoff_ms, 0, 3600000,
		    "MS", "http: first retry wait, doubling (500)",
		    .cmds = CMD_HTTP),
		PP_OPT_DOUBLE(0, "timeout", &f->timeout, 0.001, 86400,
		    "SECONDS", "http: limit for one attempt (60)",
		    .cmds = CMD_HTTP),
		PP_OPT_DOUBLE(0, "connect-timeout", &f->connect_timeout, 0.001,
		    86400, "SECONDS", "http: limit for connecting (10)",
		    .cmds = CMD_HTTP),
		PP_OPT_LONG(0, "max-bytes", &f->max_bytes, 1, LONG_MAX, "N",
		    "http: longest answer accepted (67108864)",
		    .cmds = CMD_HTTP),
		PP_OPT_FLAG('v', "verbose", &f->verbose,
		    "http: one line on stderr per retry", .cmds = CMD_HTTP),
		PP_OPT_STRING(0, "store", &f->store, "DB",
		    "upsert into the market store DB (a SQLite file or a "
		    "postgresql:// URL), no output",
		    .empty = "path", .cmds = ALL_BUT_STORE),
		PP_OPT_CALLBACK(0, "shard", &f->shard, set_shard, "I/N",
		    "only the symbols of shard I (0 to N-1) of N: FNV-1a 64 "
		    "of the symbol mod N"),
		PP_OPT_END
	};
	int i;

	pp_cli_init_options(&f->cli, argv[0], usage, opts, PP_CLI_OUTPUT |
	    PP_CLI_INPUT | PP_CLI_SKIPBAD | PP_CLI_PROGRESS);
	f->cli.about = about;
	i = pp_cli_parse(&f->cli, argc, argv);
	f->cmd = command(i < argc ? argv[i] : NULL);
	pp_cli_check_cmd(&f->cli, f->cmd, argv[i]);
	f->paths = argv + i + 1;
	f->npaths = (size_t)(argc - i - 1);
	check_options(f);
}

/* The frame goes to stdout or -o FILE; --store takes the bars instead.
 * The store command reads its store and writes a frame. */
/*
 * The output's metadata (binary frames only; CSV has no place for it):
 * this program's pp.producer line, and pp.source.sha256 when one regular
 * file is the whole input.  Provider files' own metadata is not passed on:
 * the bars are new data, normalised here.
 */
static int
make_meta(struct fetch *f, int argc, char *argv[], struct pp_err *err)
{
	pp_lineage_producer(&f->meta, pp_progname, PP_VERSION, argc, argv);
	if (f->cmd == CMD_FILE && f->npaths == 1 &&
	    strcmp(f->paths[0], "-") != 0)
		return pp_lineage_source(&f->meta, f->paths[0], err);
	return 0;
}

static int
open_output(struct fetch *f, int argc, char *argv[], struct pp_err *err)
{
	struct pp_write_opts wo = PP_WRITE_OPTS_INIT;
	struct pp_schema s = PP_SCHEMA_INIT;

	if (f->store != NULL) {
		f->st = pp_store_open(f->store, f->cmd != CMD_STORE, err);
		if (f->st != NULL && f->intraday)
			pp_store_intraday(f->st);
		if (f->st == NULL || f->cmd != CMD_STORE)
			return f->st ? 0 : -1;
	}
	if (pp_out_open(&f->out, f->cli.c.output, err) == -1)
		return -1;
	pp_cli_write_opts(&f->cli, &wo);
	wo.delim = ',';		/* -d is the input's separator (pp-fetch(1)) */
	if (wo.format == PP_FMT_BIN) {
		if (make_meta(f, argc, argv, err) == -1)
			return -1;
		wo.meta = &f->meta;
	}
	if (f->intraday)
		pp_ohlcv_schema_intraday(&s);
	else
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
	ro.datetime_text = f->intraday;	/* --tz must see naive times */
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

/* One bar out: to the frame, or into the store; a symbol of another
 * shard (--shard) is dropped here, whatever produced it. */
static int
emit(struct fetch *f, const struct pp_ohlcv_row *r, struct pp_err *err)
{
	union pp_cell cells[PP_OHLCV_NCOLS];

	if (!pp_shard_has(&f->shard, r->sym, r->symlen))
		return 0;
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
	const char *name = strcmp(pp_reader_name(r), "<stdin>") == 0 ? NULL :
	    pp_reader_name(r);
	char *from_name = NULL;
	int rc;

	o.map = &f->map;
	o.symbol = symbol ? symbol : f->symbol;
	o.date_fmt = f->date_fmt;
	o.intraday = f->intraday;
	o.tz = f->tz;
	if (f->have_re && name != NULL && o.symbol == NULL) {
		if (pp_ohlcv_symbol_by_re(name, &f->name_re, &from_name,
		    err) == -1)
			return pp_err_prefix(err, "%s", name);
	} else {
		from_name = pp_ohlcv_symbol_from_path(name);
	}
	o.fallback = from_name;
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
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
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
	ro.datetime_text = f->intraday;
	r = pp_reader_fopen(fp, name.data, &ro, err);
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
	    f->end, (uint64_t)f->seed, err);
	if (s == NULL)
		return -1;
	while (rc == 0 && pp_synth_next(s, &row) == 1)
		rc = emit(f, &row, err);
	pp_synth_free(s);
	return rc;
}

/* 1 if --shard keeps sym: a provider is not asked for the others. */
static int
in_shard(const struct fetch *f, const char *sym)
{
	return pp_shard_has(&f->shard, sym, strlen(sym));
}

static int
run_sorted(struct fetch *f, struct pp_err *err)
{
	struct pp_ohlcv_row row;
	size_t i;
	int rc;

	f->sorter = pp_ohlcv_sorter_new();
	if (f->intraday)
		pp_ohlcv_sorter_intraday(f->sorter);
	for (i = 0; i < f->npaths || (f->cmd == CMD_HTTP && i < f->nsym); i++)
		if (f->cmd == CMD_HTTP ? in_shard(f, f->syms[i]) &&
		    fetch_symbol(f, f->syms[i], err) == -1 :
		    read_frame(f, f->in[i], NULL, err) == -1)
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
		if (pp_store_found(f->st)[i] == 0 && in_shard(f, f->syms[i]))
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
	pp_meta_init(&f.meta);
	f.start = PP_OHLCV_NO_START;
	f.end = PP_OHLCV_NO_END;
	f.shard.count = 1;
	f.http = http;
	f.http.on_retry = on_retry;
	f.retries = http.retries;
	parse_options(&f, argc, argv);
	if (!f.verbose)
		f.http.on_retry = NULL;

	if (f.cmd == CMD_FILE && open_inputs(&f, &err) == -1)
		goto out;
	if (open_output(&f, argc, argv, &err) == -1)
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
		rc = pp_cli_exit_status(&err);
	}
	pp_writer_free(f.w);
	pp_meta_release(&f.meta);
	pp_out_abort(&f.out);
	pp_store_close(f.st);
	pp_ohlcv_sorter_free(f.sorter);
	for (i = 0; f.in && i < f.npaths; i++)
		pp_reader_free(f.in[i]);
	free(f.in);
	pp_ohlcv_map_release(&f.map);
	pp_ohlcv_symbols_free(f.syms, f.nsym);
	if (f.have_re)
		regfree(&f.name_re);
	pp_tz_free(f.tz);
	pp_cli_release(&f.cli);
	return rc;
}
