/*
 * pp-eval - how good are the predictions: model metrics, cross-sectional
 * signal quality, backtests with costs and data drift (man/pp-eval.1
 * defines every number).  The first word picks the command, which selects its rows from
 * the one option table; lib/eval, lib/factor, lib/backtest and lib/drift
 * compute,
 * lib/regio writes the scores, lib/registry logs them to a run.
 */
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
#include "regio.h"
#include "registry.h"
#include "factor.h"
#include "util.h"
#include "banned.h"

enum {
	OPT_OUTPUT = 'o',
	OPT_TARGET = 't',
	OPT_PRED = 'p',
	OPT_FORMAT = PP_OPT_FIRST,
	OPT_RUN,
	OPT_RUN_STDIN,
	OPT_PROBA,
	OPT_THRESHOLD,
	OPT_BY,
	OPT_RET,
	OPT_RET_LOG,
	OPT_QUANTILES,
	OPT_HORIZONS,
	OPT_RULE,
	OPT_COST,
	OPT_PPY,
	OPT_BOOTSTRAP,
	OPT_SEED,
	OPT_TRIALS,
	OPT_PLOT,
	OPT_COLUMNS,
	OPT_ALL,
	OPT_PSI_MAX,
	OPT_KS_ALPHA,
	OPT_SPLIT_DATE
};

/* Exit status of drift when a column drifts (docs/DESIGN.md: 3). */

static const struct pp_opt all_opts[] = {
	{ "target", OPT_TARGET, "COL", "target column (default: the model's, "
	  "named in a frame from pp-predict -B)" },
	{ "pred", OPT_PRED, "COL", "prediction column (default: the one "
	  "pp-predict named, else prediction)" },
	{ "proba", OPT_PROBA, NULL,
	  "classification: the target is 0/1, predictions probabilities" },
	{ "threshold", OPT_THRESHOLD, "X",
	  "class 1 when the prediction is above X (default: 0.5)" },
	{ "by", OPT_BY, "KEY", "metrics per symbol or date, then their mean;"
	  " backtest: per symbol" },
	{ "ret", OPT_RET, "COL[,COL...]",
	  "next period's simple return column(s)" },
	{ "ret-log", OPT_RET_LOG, NULL, "the return column holds log returns" },
	{ "quantiles", OPT_QUANTILES, "Q",
	  "prediction quantiles (default: 5)" },
	{ "horizons", OPT_HORIZONS, "H,H...",
	  "labels of the --ret columns (periods ahead)" },
	{ "rule", OPT_RULE, "RULE", "sign (default), long-only, threshold:X or "
	  "quantile:Q" },
	{ "cost-bps", OPT_COST, "B", "cost per unit of turnover (default: 0)" },
	{ "periods-per-year", OPT_PPY, "P", "annualisation (default: 252)" },
	{ "bootstrap", OPT_BOOTSTRAP, "N",
	  "Sharpe interval resamples (default: 2000; 0: none)" },
	{ "seed", OPT_SEED, "N", "bootstrap seed (default: 1)" },
	{ "trials", OPT_TRIALS, "N", "deflated Sharpe ratio over N trials" },
	{ "columns", OPT_COLUMNS, "COL[,COL...]",
	  "the columns to compare (default: every number column)" },
	{ "all", OPT_ALL, NULL, "compare every number column" },
	{ "psi-max", OPT_PSI_MAX, "X",
	  "a column drifts when its psi is above X (default: 0.2)" },
	{ "ks-alpha", OPT_KS_ALPHA, "A",
	  "a column drifts when its KS p-value is below A (default: 0.05)" },
	{ "split-date", OPT_SPLIT_DATE, "D",
	  "one frame: rows before D against rows from D on" },
	{ "format", OPT_FORMAT, "FMT",
	  "table, csv or json (default: table on a terminal, else csv)" },
	{ "output", OPT_OUTPUT, "FILE",
	  "write to FILE (atomically) instead of stdout" },
	{ "plot", OPT_PLOT, "FILE.svg", "also draw the picture into FILE.svg" },
	{ "run", OPT_RUN, "RUN_ID", "log every score to this registry run" },
	{ "run-from-stdin", OPT_RUN_STDIN, NULL,
	  "read the run id from the first line of stdin" },
	{ NULL, 0, NULL, NULL }
};

#define COMMON OPT_FORMAT, OPT_OUTPUT, OPT_PLOT, OPT_RUN, OPT_RUN_STDIN

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
	double psi_max, ks_alpha;
	struct pp_drift_opts dr;
	size_t ndrift;		/* drift: columns that drift (exit 3) */
	struct pp_buf svg;		/* the picture, with --plot */
	long quantiles;
	int run_stdin;
	char run_id[PP_RUN_ID_LEN + 1];
	struct pp_opt *rows;
};

struct cmd {
	const char *name;
	int (*fn)(struct opts *, struct pp_scores *, struct pp_err *);
	const char *usage;
	int opts[20];
};

static int cmd_metrics(struct opts *, struct pp_scores *, struct pp_err *);
static int cmd_signal(struct opts *, struct pp_scores *, struct pp_err *);
static int cmd_backtest(struct opts *, struct pp_scores *, struct pp_err *);
static int cmd_drift(struct opts *, struct pp_scores *, struct pp_err *);

static const struct cmd cmds[] = {
	{ "backtest", cmd_backtest, "backtest [--pred COL] --ret COL "
	  "[--ret-log] [--rule RULE] [--cost-bps B] [--periods-per-year P] "
	  "[--bootstrap N] [--seed N] [--trials N] [--by symbol] [--format "
	  "FMT] [-o FILE] [--plot FILE.svg] [--run RUN_ID | --run-from-stdin] "
	  "[FILE]",
	  { OPT_PRED, OPT_RET, OPT_RET_LOG, OPT_RULE, OPT_COST, OPT_PPY,
	    OPT_BOOTSTRAP, OPT_SEED, OPT_TRIALS, OPT_BY, COMMON } },
	{ "drift", cmd_drift, "drift [--columns COL[,COL...] | --all] "
	  "[--psi-max X] [--ks-alpha A] [--split-date D] [--format FMT] "
	  "[-o FILE] [--plot FILE.svg] [--run RUN_ID | --run-from-stdin] "
	  "REFERENCE [CURRENT]",
	  { OPT_COLUMNS, OPT_ALL, OPT_PSI_MAX, OPT_KS_ALPHA, OPT_SPLIT_DATE,
	    COMMON } },
	{ "metrics", cmd_metrics, "metrics [--target COL] [--pred COL] [--proba] "
	  "[--threshold X] [--by symbol|date] [--format FMT] [-o FILE] "
	  "[--plot FILE.svg] [--run RUN_ID | --run-from-stdin] [FILE]",
	  { OPT_TARGET, OPT_PRED, OPT_PROBA, OPT_THRESHOLD, OPT_BY, COMMON } },
	{ "signal", cmd_signal, "signal [--pred COL] --ret COL[,COL...] "
	  "[--horizons H,H...] [--quantiles Q] [--format FMT] [-o FILE] "
	  "[--plot FILE.svg] [--run RUN_ID | --run-from-stdin] [FILE]",
	  { OPT_PRED, OPT_RET, OPT_HORIZONS, OPT_QUANTILES, COMMON } },
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

static void
parse_option(struct opts *o, int id, const char *arg)
{
	struct pp_err e = PP_ERR_INIT;

	switch (id) {
	case OPT_TARGET: o->m.target = arg; break;
	case OPT_PRED: o->pred = arg; break;
	case OPT_PROBA: o->m.kind = PP_EVAL_CLASSIFICATION; break;
	case OPT_THRESHOLD:
		o->m.threshold = pp_cli_double("threshold", arg, 0, 1);
		break;
	case OPT_BY:
		if (strcmp(arg, "symbol") != 0 && (strcmp(arg, "date") != 0 ||
		    strcmp(o->cmd->name, "metrics") != 0))
			pp_cli_usage_error("--by: bad value \"%s\": want %s",
			    arg, strcmp(o->cmd->name, "metrics") == 0
			    ? "symbol or date" : "symbol");
		o->m.by = arg;
		o->bt.by_symbol = 1;
		break;
	case OPT_RET: o->ret = arg; break;
	case OPT_RET_LOG: o->bt.ret_log = 1; break;
	case OPT_QUANTILES:
		o->quantiles = pp_cli_long("quantiles", arg, 2, 1000);
		break;
	case OPT_HORIZONS: o->horizons = arg; break;
	case OPT_RULE:
		if (pp_backtest_rule_parse(arg, &o->bt.rule, &e) == -1)
			pp_cli_usage_error("%s", e.msg);
		break;
	case OPT_COST:
		o->bt.cost_bps = pp_cli_double("cost-bps", arg, 0, 1e4);
		break;
	case OPT_PPY:
		o->bt.periods_per_year = pp_cli_double("periods-per-year", arg,
		    1e-9, 1e9);
		break;
	case OPT_BOOTSTRAP:
		o->bt.bootstrap = pp_cli_long("bootstrap", arg, 0, 1000000);
		break;
	case OPT_SEED:
		o->bt.seed = (uint64_t)pp_cli_long("seed", arg, 0, 0x7fffffffL);
		break;
	case OPT_TRIALS:
		o->bt.trials = pp_cli_long("trials", arg, 2, 1000000000L);
		break;
	case OPT_FORMAT:
		if (pp_regio_parse_format(arg, &o->format) == -1)
			pp_cli_usage_error("--format: bad value \"%s\": want "
			    "table, csv or json", arg);
		break;
	case OPT_OUTPUT:
		if (*arg == '\0')
			pp_cli_usage_error("--output: empty file name");
		o->output = arg;
		break;
	case OPT_RUN:
		if (strlen(arg) != PP_RUN_ID_LEN || strspn(arg,
		    "0123456789abcdef") != PP_RUN_ID_LEN)
			pp_cli_usage_error("--run: bad value \"%s\": want 32 "
			    "lowercase hex digits", arg);
		o->run = arg;
		break;
	case OPT_RUN_STDIN: o->run_stdin = 1; break;
	case OPT_PLOT:
		if (*arg == '\0')
			pp_cli_usage_error("--plot: empty file name");
		o->plot = arg;
		break;
	case OPT_COLUMNS: o->columns = arg; break;
	case OPT_ALL: o->all = 1; break;
	case OPT_PSI_MAX:
		o->psi_max = pp_cli_double("psi-max", arg, 0, 1000);
		break;
	case OPT_KS_ALPHA:
		o->ks_alpha = pp_cli_double("ks-alpha", arg, 0, 1);
		break;
	case OPT_SPLIT_DATE:
		if (pp_date_parse(arg, strlen(arg), &o->dr.split_date) == -1)
			pp_cli_usage_error("--split-date: bad value \"%s\": "
			    "want YYYY-MM-DD", arg);
		o->dr.split = 1;
		break;
	default:
		pp_cli_usage_error("unexpected option");
	}
}

/* The command's rows of all_opts, in table order. */
static struct pp_opt *
cmd_opts(const struct cmd *c)
{
	struct pp_opt *rows = pp_xcalloc(PP_ARRAY_SIZE(all_opts),
	    sizeof(*rows));
	size_t i, j, n = 0;

	for (i = 0; all_opts[i].name; i++)
		for (j = 0; c->opts[j]; j++)
			if (c->opts[j] == all_opts[i].id)
				rows[n++] = all_opts[i];
	return rows;
}

static void check_drift(struct opts *o, int nargs, char **args);
static void check_run(const struct opts *o, const char *input);

static void
parse_command_line(int argc, char *argv[], struct opts *o)
{
	size_t i;
	int id;

	pp_cli_init(&o->cli, argv[0], top_usage, all_opts, PP_CLI_INPUT |
	    PP_CLI_REGISTRY);
	o->cli.about = top_about;
	if (argc < 2 || argv[1][0] == '-') {
		while (pp_cli_next(&o->cli, argc, argv) != -1)
			;
		pp_cli_usage_error("missing command (see pp-eval --help)");
	}
	for (i = 0; i < PP_ARRAY_SIZE(cmds); i++)
		if (strcmp(cmds[i].name, argv[1]) == 0)
			o->cmd = &cmds[i];
	if (o->cmd == NULL)
		pp_cli_usage_error("unknown command \"%s\" (see pp-eval "
		    "--help)", argv[1]);
	o->rows = cmd_opts(o->cmd);
	pp_cli_release(&o->cli);
	pp_cli_init(&o->cli, argv[0], o->cmd->usage, o->rows, PP_CLI_INPUT |
	    PP_CLI_REGISTRY);
	argc--;
	argv++;
	while ((id = pp_cli_next(&o->cli, argc, argv)) != -1)
		parse_option(o, id, o->cli.optarg);
	if (o->cmd->fn == cmd_drift) {
		check_drift(o, argc - o->cli.optind, argv + o->cli.optind);
		return;
	}
	if (argc - o->cli.optind > 1)
		pp_cli_usage_error("%s: unexpected operand \"%s\"",
		    o->cmd->name, argv[o->cli.optind + 1]);
	o->input = o->cli.optind < argc ? argv[o->cli.optind] : "-";
	if (o->cmd->fn != cmd_metrics && o->ret == NULL)
		pp_cli_usage_error("%s: --ret COL is required", o->cmd->name);
	check_run(o, o->input);
}

/* drift's operands: REFERENCE [CURRENT], or one frame with --split-date. */
static void
check_drift(struct opts *o, int nargs, char **args)
{
	if (nargs < 1)
		pp_cli_usage_error("drift: missing REFERENCE");
	if (nargs > 2 || (o->dr.split && nargs > 1))
		pp_cli_usage_error("drift: unexpected operand \"%s\"",
		    args[o->dr.split ? 1 : 2]);
	if (o->columns && o->all)
		pp_cli_usage_error("--columns and --all exclude each other");
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

	if (o->cmd->fn != cmd_backtest || o->bt.trials != 0)
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
	pp_regio_write(out.fp, &t, o.format);
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
