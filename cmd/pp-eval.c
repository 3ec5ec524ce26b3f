/*
 * pp-eval - how good are the predictions: model metrics, cross-sectional
 * signal quality, backtests with costs and data drift (man/pp-eval.1
 * defines every number).  The first word picks the command, which selects its rows from
 * the one option table; lib/eval, lib/factor, lib/backtest and lib/drift
 * compute,
 * lib/registry_io writes the scores, lib/registry logs them to a run.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtest.h"
#include "cli.h"
#include "date.h"
#include "drift.h"
#include "eval.h"
#include "evalplot.h"
#include "registry_io.h"
#include "registry.h"
#include "factor.h"
#include "util.h"
#include "banned.h"

/* The commands, as bits: an option row names the commands that take it. */
enum { CMD_METRICS = 1, CMD_SIGNAL = 2, CMD_BACKTEST = 4, CMD_DRIFT = 8 };

struct opts {
	struct pp_cli cli;
	const struct cmd *cmd;
	enum pp_format format;
	struct pp_eval_metrics_opts m;
	struct pp_bt_opts bt;
	const char *pred, *ret, *horizons, *run, *input, *output, *plot;
	const char *current;	/* drift: CURRENT, or NULL with --split-date */
	const char *columns;	/* drift: --columns */
	int all;		/* drift: --all */
	int proba;		/* metrics: --proba */
	long seed;		/* backtest: --seed */
	double psi_max, ks_alpha;
	struct pp_drift_opts dr;
	size_t ndrift;		/* drift: columns that drift (exit 3) */
	struct pp_buf svg;		/* the picture, with --plot */
	long quantiles;
	int run_stdin;
	char run_id[PP_RUN_ID_LEN + 1];
	struct pp_option *rows;	/* the command's rows of the option table */
};

struct cmd {
	const char *name;
	unsigned bit;		/* CMD_* */
	int (*fn)(struct opts *, struct pp_scores *, struct pp_err *);
	const char *usage;
};

static int cmd_metrics(struct opts *, struct pp_scores *, struct pp_err *);
static int cmd_signal(struct opts *, struct pp_scores *, struct pp_err *);
static int cmd_backtest(struct opts *, struct pp_scores *, struct pp_err *);
static int cmd_drift(struct opts *, struct pp_scores *, struct pp_err *);

static const struct cmd cmds[] = {
	{ "backtest", CMD_BACKTEST, cmd_backtest, "backtest [--pred COL] "
	  "--ret COL [--ret-log] [--rule RULE] [--cost-bps B] "
	  "[--periods-per-year P] [--bootstrap N] [--seed N] [--trials N] "
	  "[--by symbol] [--format FMT] [-o FILE] [--plot FILE.svg] "
	  "[--run RUN_ID | --run-from-stdin] [FILE]" },
	{ "drift", CMD_DRIFT, cmd_drift, "drift [--columns COL[,COL...] | "
	  "--all] [--psi-max X] [--ks-alpha A] [--split-date D] [--format "
	  "FMT] [-o FILE] [--plot FILE.svg] [--run RUN_ID | --run-from-stdin] "
	  "REFERENCE [CURRENT]" },
	{ "metrics", CMD_METRICS, cmd_metrics, "metrics [--target COL] [--pred "
	  "COL] [--proba] [--threshold X] [--by symbol|date] [--format FMT] "
	  "[-o FILE] [--plot FILE.svg] [--run RUN_ID | --run-from-stdin] "
	  "[FILE]" },
	{ "signal", CMD_SIGNAL, cmd_signal, "signal [--pred COL] --ret "
	  "COL[,COL...] [--horizons H,H...] [--quantiles Q] [--format FMT] "
	  "[-o FILE] [--plot FILE.svg] [--run RUN_ID | --run-from-stdin] "
	  "[FILE]" },
};

static const char top_usage[] =
	"metrics [--target COL] [--pred COL] [--proba] [--by symbol|date] "
	"[FILE]\n"
	"signal [--pred COL] --ret COL[,COL...] [--quantiles Q] [FILE]\n"
	"backtest [--pred COL] --ret COL [--rule RULE] [--cost-bps B] [FILE]\n"
	"drift [--columns COL[,COL...] | --all] [--psi-max X] [--ks-alpha A] "
	"REFERENCE [CURRENT]";

static const char top_about[] =
	"Score predictions: model metrics, cross-sectional signal quality,\n"
	"backtests with costs; and data drift.  `pp-eval COMMAND --help` shows\n"
	"one command's options; the options below are every command's.";

/* ---- Option values that need more than a range ----------------------- */

static int
set_by(void *v, const char *arg, struct pp_err *err)
{
	struct opts *o = v;
	int metrics = o->cmd->bit == CMD_METRICS;

	if (strcmp(arg, "symbol") != 0 && (strcmp(arg, "date") != 0 ||
	    !metrics))
		return pp_err_set(err, PP_EXIT_USAGE, "--by: bad value \"%s\": "
		    "want %s", arg, metrics ? "symbol or date" : "symbol");
	o->m.by = arg;
	o->bt.by_symbol = 1;
	return 0;
}

static int
set_rule(void *v, const char *arg, struct pp_err *err)
{
	return pp_backtest_rule_parse(arg, v, err);
}

static int
set_run(void *v, const char *arg, struct pp_err *err)
{
	if (strlen(arg) != PP_RUN_ID_LEN || strspn(arg, "0123456789abcdef") !=
	    PP_RUN_ID_LEN)
		return pp_err_set(err, PP_EXIT_USAGE, "--run: bad value \"%s\": "
		    "want 32 lowercase hex digits", arg);
	*(const char **)v = arg;
	return 0;
}

static int
set_split_date(void *v, const char *arg, struct pp_err *err)
{
	struct pp_drift_opts *dr = v;

	if (pp_date_parse(arg, strlen(arg), &dr->split_date) == -1)
		return pp_err_set(err, PP_EXIT_USAGE, "--split-date: bad value "
		    "\"%s\": want YYYY-MM-DD", arg);
	dr->split = 1;
	return 0;
}

/* ---- The command line ------------------------------------------------ */

/*
 * Every command's options, one table.  A command sees only its own rows
 * (pp_cli_cmd_rows): its --help lists them, and another command's option
 * is an unknown one there.
 */
static void
option_table(struct opts *o, struct pp_option *t, size_t max)
{
	const unsigned PANEL = CMD_SIGNAL | CMD_BACKTEST;
	const unsigned ALL = CMD_METRICS | PANEL | CMD_DRIFT;
	const struct pp_option rows[] = {
		PP_OPT_STRING('t', "target", &o->m.target, "COL",
		    "target column (default: the model's, named in a frame "
		    "from pp-predict -B)", .cmds = CMD_METRICS),
		PP_OPT_STRING('p', "pred", &o->pred, "COL", "prediction column "
		    "(default: the one pp-predict named, else prediction)",
		    .cmds = CMD_METRICS | PANEL),
		PP_OPT_FLAG(0, "proba", &o->proba, "classification: the target "
		    "is 0/1, predictions probabilities", .cmds = CMD_METRICS),
		PP_OPT_DOUBLE(0, "threshold", &o->m.threshold, 0, 1, "X",
		    "class 1 when the prediction is above X (default: 0.5)",
		    .cmds = CMD_METRICS),
		PP_OPT_CALLBACK(0, "by", o, set_by, "KEY", "metrics per symbol "
		    "or date, then their mean; backtest: per symbol",
		    .cmds = CMD_METRICS | CMD_BACKTEST),
		PP_OPT_STRING(0, "ret", &o->ret, "COL[,COL...]",
		    "next period's simple return column(s)", .cmds = PANEL),
		PP_OPT_FLAG(0, "ret-log", &o->bt.ret_log,
		    "the return column holds log returns", .cmds = CMD_BACKTEST),
		PP_OPT_LONG(0, "quantiles", &o->quantiles, 2, 1000, "Q",
		    "prediction quantiles (default: 5)", .cmds = CMD_SIGNAL),
		PP_OPT_STRING(0, "horizons", &o->horizons, "H,H...",
		    "labels of the --ret columns (periods ahead)",
		    .cmds = CMD_SIGNAL),
		PP_OPT_CALLBACK(0, "rule", &o->bt.rule, set_rule, "RULE",
		    "sign (default), long-only, threshold:X or quantile:Q",
		    .cmds = CMD_BACKTEST),
		PP_OPT_DOUBLE(0, "cost-bps", &o->bt.cost_bps, 0, 1e4, "B",
		    "cost per unit of turnover (default: 0)",
		    .cmds = CMD_BACKTEST),
		PP_OPT_DOUBLE(0, "periods-per-year", &o->bt.periods_per_year,
		    1e-9, 1e9, "P", "annualisation (default: 252)",
		    .cmds = CMD_BACKTEST),
		PP_OPT_LONG(0, "bootstrap", &o->bt.bootstrap, 0, 1000000, "N",
		    "Sharpe interval resamples (default: 2000; 0: none)",
		    .cmds = CMD_BACKTEST),
		PP_OPT_LONG(0, "seed", &o->seed, 0, 0x7fffffffL, "N",
		    "bootstrap seed (default: 1)", .cmds = CMD_BACKTEST),
		PP_OPT_LONG(0, "trials", &o->bt.trials, 2, 1000000000L, "N",
		    "deflated Sharpe ratio over N trials", .cmds = CMD_BACKTEST),
		PP_OPT_STRING(0, "columns", &o->columns, "COL[,COL...]",
		    "the columns to compare (default: every number column)",
		    .cmds = CMD_DRIFT),
		PP_OPT_FLAG(0, "all", &o->all, "compare every number column",
		    .cmds = CMD_DRIFT),
		PP_OPT_DOUBLE(0, "psi-max", &o->psi_max, 0, 1000, "X",
		    "a column drifts when its psi is above X (default: 0.2)",
		    .cmds = CMD_DRIFT),
		PP_OPT_DOUBLE(0, "ks-alpha", &o->ks_alpha, 0, 1, "A",
		    "a column drifts when its KS p-value is below A "
		    "(default: 0.05)", .cmds = CMD_DRIFT),
		PP_OPT_CALLBACK(0, "split-date", &o->dr, set_split_date, "D",
		    "one frame: rows before D against rows from D on",
		    .cmds = CMD_DRIFT),
		PP_OPT_CALLBACK(0, "format", &o->format,
		    pp_registry_io_format_option, "FMT",
		    "table, csv or json (default: table on a terminal, else "
		    "csv)", .cmds = ALL),
		PP_OPT_STRING('o', "output", &o->output, "FILE",
		    "write to FILE (atomically) instead of stdout",
		    .empty = "file name", .cmds = ALL),
		PP_OPT_STRING(0, "plot", &o->plot, "FILE.svg",
		    "also draw the picture into FILE.svg", .empty = "file name",
		    .cmds = ALL),
		PP_OPT_CALLBACK(0, "run", &o->run, set_run, "RUN_ID",
		    "log every score to this registry run", .cmds = ALL),
		PP_OPT_FLAG(0, "run-from-stdin", &o->run_stdin,
		    "read the run id from the first line of stdin",
		    .cmds = ALL),
		PP_OPT_END
	};

	assert(PP_ARRAY_SIZE(rows) <= max);
	memcpy(t, rows, sizeof(rows));
}

static const struct cmd *
find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < PP_ARRAY_SIZE(cmds); i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

static void check_operands(struct opts *o, int nargs, char **args);

/* The command is the first word; `pp-eval --help` (no command) lists
 * every command's options. */
static void
parse_command_line(int argc, char *argv[], struct opts *o)
{
	struct pp_option table[32];
	int first;

	o->seed = (long)o->bt.seed;
	option_table(o, table, PP_ARRAY_SIZE(table));
	if (argc < 2 || argv[1][0] == '-') {
		o->rows = pp_cli_cmd_rows(table, 0);
		pp_cli_init_options(&o->cli, argv[0], top_usage, o->rows,
		    PP_CLI_INPUT | PP_CLI_REGISTRY);
		o->cli.about = top_about;
		pp_cli_parse(&o->cli, argc, argv);
		pp_cli_usage_error("missing command (see pp-eval --help)");
	}
	if ((o->cmd = find_cmd(argv[1])) == NULL) {
		pp_cli_init_options(&o->cli, argv[0], top_usage, table, 0);
		pp_cli_usage_error("unknown command \"%s\" (see pp-eval "
		    "--help)", argv[1]);
	}
	o->rows = pp_cli_cmd_rows(table, o->cmd->bit);
	pp_cli_init_options(&o->cli, argv[0], o->cmd->usage, o->rows,
	    PP_CLI_INPUT | PP_CLI_REGISTRY);
	first = pp_cli_parse(&o->cli, argc - 1, argv + 1);
	if (o->proba)
		o->m.kind = PP_EVAL_CLASSIFICATION;
	o->bt.seed = (uint64_t)o->seed;
	check_operands(o, argc - 1 - first, argv + 1 + first);
}

static void check_run(const struct opts *o, const char *input);

/* drift's operands: REFERENCE [CURRENT], or one frame with --split-date;
 * the other commands': [FILE]. */
static void
check_operands(struct opts *o, int nargs, char **args)
{
	if (o->cmd->bit != CMD_DRIFT) {
		if (nargs > 1)
			pp_cli_usage_error("%s: unexpected operand \"%s\"",
			    o->cmd->name, args[1]);
		o->input = nargs > 0 ? args[0] : "-";
		if (o->cmd->bit != CMD_METRICS && o->ret == NULL)
			pp_cli_usage_error("%s: --ret COL is required",
			    o->cmd->name);
		check_run(o, o->input);
		return;
	}
	if (nargs < 1)
		pp_cli_usage_error("drift: missing REFERENCE");
	if (nargs > 2 || (o->dr.split && nargs > 1))
		pp_cli_usage_error("drift: unexpected operand \"%s\"",
		    args[o->dr.split ? 1 : 2]);
	pp_cli_excludes(&o->cli, "columns", "all");
	o->input = args[0];
	o->current = o->dr.split ? NULL : nargs > 1 ? args[1] : "-";
	if (o->current && strcmp(o->input, "-") == 0 &&
	    strcmp(o->current, "-") == 0)
		pp_cli_usage_error("drift: REFERENCE and CURRENT are both "
		    "stdin");
	check_run(o, o->current && strcmp(o->current, "-") == 0 ? "-"
	    : o->input);
}

/* --run and --run-from-stdin, given the input that may be stdin. */
static void
check_run(const struct opts *o, const char *input)
{
	if (o->run && o->run_stdin)
		pp_cli_usage_error("--run and --run-from-stdin exclude each "
		    "other");
	if (o->run_stdin && strcmp(input, "-") == 0)
		pp_cli_usage_error("--run-from-stdin: the frame must be a FILE "
		    "operand, not stdin");
}

/* --run-from-stdin: the first line of stdin, a run id. */
static int
read_run_id(struct opts *o, struct pp_err *err)
{
	char line[128];
	size_t n;

	if (fgets(line, sizeof(line), stdin) == NULL)
		return pp_err_set(err, PP_EXIT_DATA, "<stdin>: no run id");
	n = strcspn(line, "\r\n");
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		n--;
	line[n] = '\0';
	if (n != PP_RUN_ID_LEN || strspn(line, "0123456789abcdef") != n)
		return pp_err_set(err, PP_EXIT_DATA, "<stdin>: bad run id "
		    "\"%.40s\": want 32 lowercase hex digits", line);
	memcpy(o->run_id, line, n + 1);
	o->run = o->run_id;
	return 0;
}

/* Split a comma list into at most max fields (pointing into a copy). */
static size_t
split_list(const char *opt, char *s, const char **v, size_t max)
{
	size_t n = 0;
	char *p = s, *c;

	for (;;) {
		if (n == max)
			pp_cli_usage_error("--%s: more than %zu names", opt,
			    max);
		v[n++] = p;
		if ((c = strchr(p, ',')) == NULL)
			break;
		*c = '\0';
		p = c + 1;
	}
	for (max = 0; max < n; max++)
		if (*v[max] == '\0')
			pp_cli_usage_error("--%s: empty name", opt);
	return n;
}

static int
cmd_metrics(struct opts *o, struct pp_scores *sc, struct pp_err *err)
{
	enum pp_eval_kind kind;

	o->m.pred = o->pred;
	o->m.delim = o->cli.c.delim;
	o->m.plot = o->plot ? &o->svg : NULL;
	return pp_eval_metrics(o->input, &o->m, sc, &kind, err);
}

static int
cmd_signal(struct opts *o, struct pp_scores *sc, struct pp_err *err)
{
	struct pp_panel p = PP_PANEL_INIT;
	struct pp_factor_dates dd = PP_FACTOR_DATES_INIT;
	char *rets = pp_xstrdup(o->ret), *hz = NULL;
	const char *rv[64], *hv[64];
	size_t nr = split_list("ret", rets, rv, 64), nh = 0;
	int rc = -1;

	if (o->horizons) {
		hz = pp_xstrdup(o->horizons);
		nh = split_list("horizons", hz, hv, 64);
		if (nh != nr) {
			pp_err_set(err, PP_EXIT_USAGE, "--horizons: %zu labels "
			    "for %zu --ret columns", nh, nr);
			goto out;
		}
	}
	if (pp_panel_read(&p, o->input, o->cli.c.delim, o->pred, rv, nr,
	    err) == -1)
		goto out;
	rc = pp_factor(&p, o->quantiles, nh ? "horizon" : "ret", nh ? hv : rv,
	    sc, &dd, err);
	if (rc == 0 && o->plot)
		pp_plot_signal(&o->svg, &p, &dd, 20, "signal");
out:
	pp_factor_dates_release(&dd);
	pp_panel_release(&p);
	free(rets);
	free(hz);
	return rc;
}

static int
cmd_backtest(struct opts *o, struct pp_scores *sc, struct pp_err *err)
{
	struct pp_panel p = PP_PANEL_INIT;
	struct pp_bt_series s = PP_BT_SERIES_INIT;
	int rc = -1;

	if (strchr(o->ret, ',') != NULL)
		return pp_err_set(err, PP_EXIT_USAGE, "backtest: --ret takes "
		    "one column");
	if (pp_panel_read(&p, o->input, o->cli.c.delim, o->pred, &o->ret, 1,
	    err) == 0)
		rc = pp_backtest(&p, &o->bt, sc, &s, err);
	if (rc == 0 && o->plot)
		pp_plot_backtest(&o->svg, &p, &s, "backtest");
	pp_backtest_series_release(&s);
	pp_panel_release(&p);
	return rc;
}

static int
cmd_drift(struct opts *o, struct pp_scores *sc, struct pp_err *err)
{
	struct pp_drift d = PP_DRIFT_INIT;
	char *cols = o->columns ? pp_xstrdup(o->columns) : NULL;
	const char *cv[256];
	unsigned char *flag = NULL;
	int rc = -1;

	if (cols) {
		o->dr.ncols = split_list("columns", cols, cv, 256);
		o->dr.cols = cv;
	}
	o->dr.delim = o->cli.c.delim;
	if (pp_drift_read(&d, o->input, o->current, &o->dr, err) == 0) {
		flag = pp_xcalloc(d.n + 1, 1);
		o->ndrift = pp_drift_score(&d, o->psi_max, o->ks_alpha, sc,
		    flag);
		if (o->plot)
			pp_plot_drift(&o->svg, &d, flag, "drift");
		rc = 0;
	}
	free(flag);
	pp_drift_release(&d);
	free(cols);
	return rc;
}

/* backtest --run RUN_ID without --trials: the deflated Sharpe ratio
 * counts the run's nested runs (a pp-train --grid) as its trials, when
 * there are at least 2. */
static int
trials_from_run(struct opts *o, struct pp_registry *reg, struct pp_err *err)
{
	long n;

	if (o->cmd->bit != CMD_BACKTEST || o->bt.trials != 0)
		return 0;
	if (pp_registry_run_children(reg, o->run, &n, err) == -1)
		return -1;
	if (n >= 2)
		o->bt.trials = n;
	return 0;
}

/* Undefined scores and left-out rows, on stderr (not with -q). */
static void
notes(const struct pp_scores *sc)
{
	size_t i;

	if (sc->skipped)
		pp_cli_warn("%zu %s left out", sc->skipped, sc->skipped_what);
	for (i = 0; i < sc->n; i++)
		if (!isfinite(sc->v[i].value))
			pp_cli_warn("%s%s%s: undefined, printed empty",
			    sc->v[i].group ? sc->v[i].group : "",
			    sc->v[i].group ? ": " : "", sc->v[i].name);
}

int
main(int argc, char *argv[])
{
	struct opts o;
	struct pp_err err = PP_ERR_INIT;
	struct pp_scores sc = PP_SCORES_INIT;
	struct pp_reg_table t = PP_REG_TABLE_INIT;
	struct pp_out out = PP_OUT_INIT, plot = PP_OUT_INIT;
	struct pp_registry *reg = NULL;
	int rc = PP_EXIT_DATA;

	memset(&o, 0, sizeof(o));
	o.m = (struct pp_eval_metrics_opts)PP_EVAL_METRICS_OPTS_INIT;
	o.bt = (struct pp_bt_opts)PP_BT_OPTS_INIT;
	o.quantiles = 5;
	o.psi_max = 0.2;
	o.ks_alpha = 0.05;
	o.dr = (struct pp_drift_opts)PP_DRIFT_OPTS_INIT;
	pp_buf_init(&o.svg);
	parse_command_line(argc, argv, &o);
	if (o.run_stdin && read_run_id(&o, &err) == -1)
		goto out;
	if (pp_out_open(&out, o.output, &err) == -1)
		goto out;
	if (o.plot && pp_out_open(&plot, o.plot, &err) == -1)
		goto out;
	if (o.run && (reg = pp_registry_open(o.cli.c.registry, 0, &err)) ==
	    NULL)
		goto out;
	if (reg && trials_from_run(&o, reg, &err) == -1)
		goto out;
	if (o.cmd->fn(&o, &sc, &err) == -1)
		goto out;
	if (reg && pp_scores_log(&sc, reg, o.run, &err) == -1)
		goto out;
	notes(&sc);
	pp_scores_table(&sc, &t);
	pp_registry_io_write(out.fp, &t, o.format);
	if (o.plot && fwrite(o.svg.data, 1, o.svg.len, plot.fp) != o.svg.len)
		pp_err_errno(&err, errno, "%s", o.plot);
	if (err.code || (o.plot && pp_out_commit(&plot, &err) == -1))
		goto out;
	if (pp_out_commit(&out, &err) == -1)
		goto out;
	rc = o.ndrift > 0 ? PP_EXIT_HOLDS : PP_EXIT_OK;
out:
	if (rc != PP_EXIT_OK && rc != PP_EXIT_HOLDS) {
		pp_out_abort(&out);
		pp_out_abort(&plot);
		if (err.code == PP_EXIT_USAGE)
			rc = PP_EXIT_USAGE;
		pp_cli_report(&err);
	}
	pp_reg_table_release(&t);
	pp_scores_release(&sc);
	pp_registry_close(reg);
	pp_cli_release(&o.cli);
	free(o.rows);
	pp_buf_release(&o.svg);
	return rc;
}
