/*
 * pp-registry - the experiment registry from the command line: runs,
 * params, metrics, tags, artifacts and the model registry, in the SQLite
 * file every program shares (man/pp-registry.1).
 *
 * A git-style command table: the first word (or two, for `run` and
 * `artifact`) picks a command, which selects its rows from the one option
 * table and gets its own --help.  Each command is a few lib/registry calls;
 * lib/registry_io writes the listings.
 */
#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "num.h"
#include "registry_copy.h"
#include "registry_io.h"
#include "registry.h"
#include "util.h"
#include "banned.h"

/* The commands, as bits: an option row names the commands that take it. */
enum {
	C_ALIAS = 1u << 0,
	C_ART_GET = 1u << 1,
	C_ART_LIST = 1u << 2,
	C_ART_PUT = 1u << 3,
	C_AUDIT = 1u << 4,
	C_BEST = 1u << 5,
	C_COMPARE = 1u << 6,
	C_DELETE = 1u << 7,
	C_EXPERIMENTS = 1u << 8,
	C_EXPORT = 1u << 9,
	C_GC = 1u << 10,
	C_INIT = 1u << 11,
	C_HISTORY = 1u << 12,
	C_MODELS = 1u << 13,
	C_PROMOTE = 1u << 14,
	C_REGISTER = 1u << 15,
	C_RESOLVE = 1u << 16,
	C_RUN_END = 1u << 17,
	C_RUN_LOG = 1u << 18,
	C_RUN_START = 1u << 19,
	C_RUNS = 1u << 20,
	C_SHOW = 1u << 21,
	C_UNALIAS = 1u << 22,
	C_VERSIONS = 1u << 23,
	C_COPY = 1u << 24
};

struct opts {
	struct pp_cli cli;
	enum pp_format format;
	const char *experiment, *filter, *order_by, *name, *parent;
	const char *command, *fingerprint, *metrics_file, *description;
	const char *output, *by, *if_better, *columns;
	long limit, pid, stale_after;
	int deleted, stale, mark_failed, archive, max, nested, wide;
	enum pp_run_status status;
	struct pp_kv *params, *tags;	/* point into argv */
	size_t nparams, ntags, cap_params, cap_tags;
	struct pp_metric_list metrics;
	char **operands;
	int noperands;
	struct pp_option *rows;		/* the command's option rows */
};

struct ctx {
	struct opts o;
	struct pp_registry *reg;
	struct pp_reg_table table;	/* what the command lists */
	int listing;			/* 1: print table */
	size_t cut;			/* table cells cut at this width */
	struct pp_out out;
	struct pp_err err;
	char (*ids)[PP_RUN_ID_LEN + 1];	/* run id operands, expanded */
	char parent[PP_RUN_ID_LEN + 1];	/* --parent, expanded */
};

struct cmd {
	const char *name;
	int (*fn)(struct ctx *);
	const char *usage;
	unsigned open;		/* PP_REG_* flags; 0: does not open */
	int min, max;		/* operands */
	unsigned bit;		/* C_*: the rows it takes */
	unsigned ids;		/* bit i: operand i is a run id (or prefix) */
};

static int cmd_init(struct ctx *), cmd_experiments(struct ctx *);
static int cmd_runs(struct ctx *), cmd_show(struct ctx *);
static int cmd_compare(struct ctx *), cmd_history(struct ctx *);
static int cmd_run_start(struct ctx *), cmd_run_log(struct ctx *);
static int cmd_run_end(struct ctx *), cmd_art_put(struct ctx *);
static int cmd_art_get(struct ctx *), cmd_art_list(struct ctx *);
static int cmd_models(struct ctx *), cmd_versions(struct ctx *);
static int cmd_register(struct ctx *), cmd_promote(struct ctx *);
static int cmd_alias(struct ctx *), cmd_unalias(struct ctx *);
static int cmd_resolve(struct ctx *), cmd_audit(struct ctx *);
static int cmd_delete(struct ctx *), cmd_gc(struct ctx *);
static int cmd_export(struct ctx *), cmd_best(struct ctx *);
static int cmd_copy(struct ctx *);

#define ALL_IDS 0xffffffffu	/* every operand is a run id */
#define RO PP_REG_READONLY
#define RW PP_REG_CREATE
#define NONE 0x100		/* opens its operands itself */

/* Sorted by name. */
static const struct cmd cmds[] = {
	{ "alias", cmd_alias, "alias NAME ALIAS VERSION|latest "
	  "[--if-better metrics.KEY [--max]]", RW, 3, 3,
	  C_ALIAS, 0 },
	{ "artifact get", cmd_art_get, "artifact get RUN_ID NAME [-o FILE]\n"
	  "artifact get URI [-o FILE]", RO, 1, 2, C_ART_GET, 1 },
	{ "artifact list", cmd_art_list, "artifact list RUN_ID [--format FMT]",
	  RO, 1, 1, C_ART_LIST, 1 },
	{ "artifact put", cmd_art_put, "artifact put RUN_ID FILE [--name NAME]",
	  RW, 2, 2, C_ART_PUT, 1 },
	{ "audit", cmd_audit, "audit [NAME] [--format FMT]", RO, 0, 1,
	  C_AUDIT, 0 },
	{ "best", cmd_best, "best -e EXP --metric KEY [--max]", RO, 0, 0,
	  C_BEST, 0 },
	{ "compare", cmd_compare, "compare RUN_ID... [--wide] [--format FMT]",
	  RO, 1, 1000000, C_COMPARE, ALL_IDS },
	{ "copy", cmd_copy, "copy FROM TO [--format FMT]", NONE, 2, 2,
	  C_COPY, 0 },
	{ "delete", cmd_delete, "delete RUN_ID", RW, 1, 1, C_DELETE, 1 },
	{ "experiments", cmd_experiments, "experiments [--format FMT]", RO, 0,
	  0, C_EXPERIMENTS, 0 },
	{ "export", cmd_export, "export [--format csv|json] [-o FILE]", RO, 0,
	  0, C_EXPORT, 0 },
	{ "gc", cmd_gc, "gc", RW, 0, 0, C_GC, 0 },
	{ "init", cmd_init, "init", RW, 0, 0, C_INIT, 0 },
	{ "metric-history", cmd_history, "metric-history RUN_ID KEY "
	  "[--format FMT]", RO, 2, 2, C_HISTORY, 1 },
	{ "models", cmd_models, "models [--format FMT]", RO, 0, 0,
	  C_MODELS, 0 },
	{ "promote", cmd_promote, "promote NAME VERSION STAGE "
	  "[--archive-existing]", RW, 3, 3, C_PROMOTE, 0 },
	{ "register", cmd_register, "register NAME runs:/RUN_ID[/ARTIFACT] "
	  "[--description TEXT]", RW, 2, 2, C_REGISTER, 0 },
	{ "resolve", cmd_resolve, "resolve URI [--format FMT]", RO, 1, 1,
	  C_RESOLVE, 0 },
	{ "run end", cmd_run_end, "run end RUN_ID [--status STATUS] "
	  "[--param K=V] [--metric K=V[@STEP]] [--tag K=V]", RW, 1, 1,
	  C_RUN_END, 1 },
	{ "run log", cmd_run_log, "run log RUN_ID [--param K=V] "
	  "[--metric K=V[@STEP]] [--tag K=V] [--metrics-file FILE]", RW, 1, 1,
	  C_RUN_LOG, 1 },
	{ "run start", cmd_run_start, "run start -e EXP [--name NAME] "
	  "[--parent RUN_ID] [--command TEXT] [--fingerprint TEXT] [--pid PID] "
	  "[--param K=V] [--metric K=V[@STEP]] [--tag K=V]", RW, 0, 0,
	  C_RUN_START, 0 },
	{ "runs", cmd_runs, "runs [-e EXP] [--filter EXPR] [--order-by KEY "
	  "[DESC]] [--limit N] [--columns KEY,...] [--nested | --parent "
	  "RUN_ID] [--deleted] [--stale [--stale-after SECONDS] "
	  "[--mark-failed]] [--format FMT]", RO, 0, 0,
	  C_RUNS, 0 },
	{ "show", cmd_show, "show RUN_ID [--format FMT]", RO, 1, 1,
	  C_SHOW, 1 },
	{ "unalias", cmd_unalias, "unalias NAME ALIAS", RW, 2, 2, C_UNALIAS, 0 },
	{ "versions", cmd_versions, "versions NAME [--format FMT]", RO, 1, 1,
	  C_VERSIONS, 0 },
};

static const char top_usage[] =
	"COMMAND [ARG...] [--registry PATH] [OPTION...]\n"
	"init | experiments | runs | show | compare | metric-history\n"
	"run start|log|end | artifact put|get|list\n"
	"models | versions | register | promote | alias | unalias | resolve\n"
	"audit | delete | gc | export | copy";

static const char top_about[] =
	"The experiment registry: runs, params, metrics, tags, artifacts and\n"
	"registered models in one SQLite file or PostgreSQL database.\n"
	"`pp-registry COMMAND --help`\n"
	"shows one command's usage; the options below are every command's.";

/* Split "K=V" at the first '='; usage error without one or with no key. */
static struct pp_kv
split_kv(const char *opt, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct pp_kv kv;

	if (eq == NULL || eq == arg)
		pp_cli_usage_error("--%s: bad value \"%s\": want KEY=VALUE",
		    opt, arg);
	kv.key = pp_xstrndup(arg, (size_t)(eq - arg));
	kv.value = eq + 1;
	return kv;
}

static int
add_metric(void *v, const char *arg, struct pp_err *err)
{
	struct opts *o = v;
	struct pp_kv kv = split_kv("metric", arg);
	const char *at = strrchr(kv.value, '@');
	double value;
	long step = 0;

	(void)err;
	if (at != NULL && pp_parse_long(at + 1, 0, LONG_MAX, &step) == -1)
		pp_cli_usage_error("--metric: bad value \"%s\": step \"%s\" "
		    "is not a whole number >= 0", arg, at + 1);
	if (pp_parse_double(kv.value, at ? (size_t)(at - kv.value)
	    : strlen(kv.value), &value) == -1)
		pp_cli_usage_error("--metric: bad value \"%s\": not a number",
		    arg);
	pp_metric_list_add(&o->metrics, kv.key, value, step, 0);
	free((char *)kv.key);
	return 0;
}

static void
add_kv(struct pp_kv **v, size_t *n, size_t *cap, const char *opt,
    const char *arg)
{
	pp_xgrow((void **)v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = split_kv(opt, arg);
}

static int
add_param(void *v, const char *arg, struct pp_err *err)
{
	struct opts *o = v;

	(void)err;
	add_kv(&o->params, &o->nparams, &o->cap_params, "param", arg);
	return 0;
}

static int
add_tag(void *v, const char *arg, struct pp_err *err)
{
	struct opts *o = v;

	(void)err;
	add_kv(&o->tags, &o->ntags, &o->cap_tags, "tag", arg);
	return 0;
}

static int
set_status(void *v, const char *arg, struct pp_err *err)
{
	enum pp_run_status *st = v;
	struct pp_err e = PP_ERR_INIT;

	if (pp_run_status_parse(arg, st, &e) == -1 || *st == PP_RUN_RUNNING)
		return pp_err_set(err, PP_EXIT_USAGE, "--status: bad value "
		    "\"%s\": want FINISHED, FAILED or KILLED", arg);
	return 0;
}

static int
set_if_better(void *v, const char *arg, struct pp_err *err)
{
	if (strncmp(arg, "metrics.", 8) != 0 || arg[8] == '\0')
		return pp_err_set(err, PP_EXIT_USAGE, "--if-better: bad value "
		    "\"%s\": want metrics.KEY", arg);
	*(const char **)v = arg + 8;
	return 0;
}

/*
 * Every command's options, one table; a command sees only its rows
 * (pp_cli_cmd_rows): its --help lists them, and another command's option
 * is an unknown one there.  Two rows are named --metric: a point to log (run
 * start, log, end) and the key best ranks by; no command takes both.
 */
static void
option_table(struct opts *o, struct pp_option *t, size_t max)
{
	const unsigned LOGS = C_RUN_START | C_RUN_LOG | C_RUN_END;
	const unsigned LISTS = C_ART_LIST | C_AUDIT | C_COMPARE |
	    C_EXPERIMENTS | C_EXPORT | C_HISTORY | C_MODELS | C_RESOLVE |
	    C_RUNS | C_SHOW | C_VERSIONS | C_COPY;
	const struct pp_option rows[] = {
		PP_OPT_STRING('e', "experiment", &o->experiment, "EXP",
		    "experiment name", .empty = "name",
		    .cmds = C_BEST | C_RUN_START | C_RUNS),
		PP_OPT_STRING(0, "filter", &o->filter, "EXPR", "MLflow search "
		    "filter, e.g. \"metrics.rmse < 0.02\"", .cmds = C_RUNS),
		PP_OPT_STRING(0, "order-by", &o->order_by, "KEY", "sort by KEY "
		    "[ASC|DESC] (default: newest first)", .cmds = C_RUNS),
		PP_OPT_LONG(0, "limit", &o->limit, 1, LONG_MAX, "N",
		    "at most N runs", .cmds = C_RUNS),
		PP_OPT_STRING(0, "columns", &o->columns, "KEY,...", "show "
		    "metrics.K, params.K, tags.K (default: common metrics)",
		    .empty = "list", .cmds = C_RUNS),
		PP_OPT_FLAG(0, "nested", &o->nested, "list nested runs too",
		    .cmds = C_RUNS),
		PP_OPT_FLAG(0, "wide", &o->wide, "in a table, show long values "
		    "whole (default: cut at 32)", .cmds = C_COMPARE),
		PP_OPT_FLAG(0, "deleted", &o->deleted, "list deleted runs "
		    "instead of live ones", .cmds = C_RUNS),
		PP_OPT_FLAG(0, "stale", &o->stale, "only RUNNING runs whose "
		    "owner process is gone", .cmds = C_RUNS),
		PP_OPT_LONG(0, "stale-after", &o->stale_after, 1,
		    LONG_MAX / 1000, "SECONDS", "with --stale: also runs "
		    "silent this long", .cmds = C_RUNS),
		PP_OPT_FLAG(0, "mark-failed", &o->mark_failed, "with --stale: "
		    "mark the stale runs FAILED", .cmds = C_RUNS),
		PP_OPT_STRING(0, "name", &o->name, "NAME", "run or artifact "
		    "name", .cmds = C_ART_PUT | C_RUN_START),
		PP_OPT_STRING(0, "parent", &o->parent, "RUN_ID", "parent run of "
		    "a nested run", .cmds = C_RUN_START | C_RUNS),
		PP_OPT_STRING(0, "command", &o->command, "TEXT", "command line "
		    "to record", .cmds = C_RUN_START),
		PP_OPT_STRING(0, "fingerprint", &o->fingerprint, "TEXT",
		    "input fingerprint to record", .cmds = C_RUN_START),
		PP_OPT_LONG(0, "pid", &o->pid, 1, 1L << 30, "PID", "owner "
		    "process (default: the parent process)",
		    .cmds = C_RUN_START),
		PP_OPT_CALLBACK(0, "param", o, add_param, "K=V",
		    "log a param (repeatable)", .cmds = LOGS),
		PP_OPT_CALLBACK(0, "metric", o, add_metric, "K=V[@STEP]",
		    "log a metric point (repeatable)", .cmds = LOGS),
		PP_OPT_CALLBACK(0, "tag", o, add_tag, "K=V",
		    "set a tag (repeatable)", .cmds = LOGS),
		PP_OPT_STRING(0, "metrics-file", &o->metrics_file, "FILE",
		    "log metric points from CSV (key,value[,step][,timestamp])",
		    .cmds = C_RUN_LOG),
		PP_OPT_CALLBACK(0, "status", &o->status, set_status, "STATUS",
		    "FINISHED (default), FAILED or KILLED", .cmds = C_RUN_END),
		PP_OPT_STRING(0, "description", &o->description, "TEXT",
		    "model version description", .cmds = C_REGISTER),
		PP_OPT_FLAG(0, "archive-existing", &o->archive, "move versions "
		    "already in STAGE to Archived", .cmds = C_PROMOTE),
		PP_OPT_STRING(0, "metric", &o->by, "KEY", "the metric to rank "
		    "runs by", .empty = "key", .cmds = C_BEST),
		PP_OPT_FLAG(0, "max", &o->max, "higher is better (default: "
		    "lower)", .cmds = C_ALIAS | C_BEST),
		PP_OPT_CALLBACK(0, "if-better", &o->if_better, set_if_better,
		    "metrics.KEY", "move only if the version's run beats the "
		    "holder's on KEY", .cmds = C_ALIAS),
		PP_OPT_STRING('o', "output", &o->output, "FILE", "write to FILE "
		    "(atomically) instead of stdout", .empty = "file name",
		    .cmds = C_ART_GET | C_EXPORT),
		PP_OPT_CALLBACK(0, "format", &o->format,
		    pp_registry_io_format_option, "FMT",
		    "table, csv or json (default: table on a terminal, else "
		    "csv)", .cmds = LISTS),
		PP_OPT_END
	};

	assert(PP_ARRAY_SIZE(rows) <= max);
	memcpy(t, rows, sizeof(rows));
}

static const struct cmd *
find_cmd(int argc, char *argv[], int *words)
{
	char name[64];
	size_t i;

	*words = 1;
	snprintf(name, sizeof(name), "%s", argv[1]);
	if ((strcmp(argv[1], "run") == 0 || strcmp(argv[1], "artifact") == 0)) {
		if (argc < 3 || argv[2][0] == '-')
			pp_cli_usage_error("%s: missing verb (see pp-registry "
			    "--help)", argv[1]);
		snprintf(name, sizeof(name), "%s %s", argv[1], argv[2]);
		*words = 2;
	}
	for (i = 0; i < PP_ARRAY_SIZE(cmds); i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	pp_cli_usage_error("unknown command \"%s\" (see pp-registry --help)",
	    name);
}

/* The whole command line: the command, its options and operands. */
static const struct cmd *
parse_command_line(int argc, char *argv[], struct opts *o)
{
	struct pp_option table[32];
	const struct cmd *c;
	const char *registry = NULL;
	int first, words, n;

	/* As git -C: --registry may come before the command. */
	while (argc > 2 && strncmp(argv[1], "--registry", 10) == 0 &&
	    (argv[1][10] == '=' || (argv[1][10] == '\0' && argc > 3))) {
		int eq = argv[1][10] == '=';

		registry = eq ? argv[1] + 11 : argv[2];
		if (*registry == '\0')
			pp_cli_usage_error("--registry: empty path");
		argv[eq ? 1 : 2] = argv[0];
		argv += eq ? 1 : 2;
		argc -= eq ? 1 : 2;
	}
	option_table(o, table, PP_ARRAY_SIZE(table));
	if (argc < 2 || argv[1][0] == '-') {
		o->rows = pp_cli_cmd_rows(table, 0);
		pp_cli_init_options(&o->cli, argv[0], top_usage, o->rows,
		    PP_CLI_REGISTRY);
		o->cli.about = top_about;
		pp_cli_parse(&o->cli, argc, argv);
		pp_cli_usage_error("missing command (see pp-registry --help)");
	}
	pp_cli_init_options(&o->cli, argv[0], top_usage, table, 0);
	c = find_cmd(argc, argv, &words);
	pp_cli_release(&o->cli);
	o->rows = pp_cli_cmd_rows(table, c->bit);
	/* copy's operands name both registries: it takes no --registry
	 * (its --help does not offer one, and one given is refused). */
	if (c->open == NONE && registry != NULL)
		pp_cli_usage_error("%s: no --registry: the operands name the "
		    "registries", c->name);
	pp_cli_init_options(&o->cli, argv[0], c->usage, o->rows,
	    c->open == NONE ? 0 : PP_CLI_REGISTRY);
	if (registry != NULL) {
		o->cli.c.registry = registry;
		o->cli.c.registry_implicit = 0;
	}
	argc -= words;
	argv += words;
	first = pp_cli_parse(&o->cli, argc, argv);
	o->operands = argv + first;
	o->noperands = argc - first;
	n = o->noperands;
	if (n < c->min)
		pp_cli_usage_error("%s: missing operand (usage: pp-registry "
		    "%.*s)", c->name, (int)strcspn(c->usage, "\n"), c->usage);
	if (n > c->max)
		pp_cli_usage_error("%s: unexpected operand \"%s\"", c->name,
		    o->operands[c->max]);
	if (strcmp(c->name, "run start") == 0 && o->experiment == NULL)
		pp_cli_usage_error("run start: -e EXP is required");
	if (strcmp(c->name, "best") == 0 && (o->experiment == NULL ||
	    o->by == NULL))
		pp_cli_usage_error("best: -e EXP and --metric KEY are required");
	if (o->nested && o->parent != NULL)
		pp_cli_usage_error("--nested and --parent exclude each other");
	if (strcmp(c->name, "alias") == 0 && o->max && o->if_better == NULL)
		pp_cli_usage_error("--max needs --if-better");
	if ((o->stale_after || o->mark_failed) && !o->stale)
		pp_cli_usage_error("--%s needs --stale", o->mark_failed
		    ? "mark-failed" : "stale-after");
	if (strcmp(c->name, "export") == 0 && o->format == PP_FMT_TABLE)
		pp_cli_usage_error("--format: export writes csv or json");
	return c;
}

/* The params, metrics and tags given on the command line. */
static struct pp_log
opts_log(const struct opts *o)
{
	struct pp_log log = { o->params, o->nparams, o->metrics.m,
		o->metrics.n, o->tags, o->ntags };

	return log;
}

static int
cmd_init(struct ctx *c)
{
	(void)c;
	return 0;		/* opening with PP_REG_CREATE did it */
}

static int
cmd_experiments(struct ctx *c)
{
	c->listing = 1;
	return pp_registry_experiments(c->reg, &c->table, &c->err);
}

static int
cmd_runs(struct ctx *c)
{
	struct pp_run_query q = PP_RUN_QUERY_INIT;
	size_t i;

	q.experiment = c->o.experiment;
	q.filter = c->o.filter;
	q.order_by = c->o.order_by;
	q.limit = c->o.limit;
	q.deleted = c->o.deleted;
	q.stale = c->o.stale;
	q.stale_after_ms = (int64_t)c->o.stale_after * 1000;
	q.columns = c->o.columns;
	q.nested = c->o.nested;
	q.parent = c->o.parent;
	c->listing = 1;
	if (pp_registry_runs(c->reg, &q, &c->table, &c->err) == -1)
		return -1;
	if (!c->o.mark_failed)
		return 0;
	/* The listing shows the runs as found; each is then marked. */
	for (i = 0; i < c->table.nrows; i++)
		if (pp_registry_run_end(c->reg, c->table.cells[i *
		    c->table.ncols], PP_RUN_FAILED, NULL, &c->err) == -1)
			return -1;
	return 0;
}

static int
cmd_show(struct ctx *c)
{
	c->listing = 1;
	return pp_registry_show(c->reg, c->o.operands[0], &c->table, &c->err);
}

/* Runs side by side are read across: a long tag (a feature list) would
 * push the other runs off the screen, so a table cuts it unless --wide. */
#define COMPARE_CUT 32

static int
cmd_compare(struct ctx *c)
{
	c->listing = 1;
	c->cut = c->o.wide ? 0 : COMPARE_CUT;
	return pp_registry_compare(c->reg, (const char *const *)c->o.operands,
	    (size_t)c->o.noperands, &c->table, &c->err);
}

static int
cmd_history(struct ctx *c)
{
	c->listing = 1;
	return pp_registry_metric_history(c->reg, c->o.operands[0],
	    c->o.operands[1], &c->table, &c->err);
}

static int
cmd_run_start(struct ctx *c)
{
	struct pp_run_start s = PP_RUN_START_INIT;
	struct pp_log log = opts_log(&c->o);
	char id[PP_RUN_ID_LEN + 1];

	s.experiment = c->o.experiment;
	s.name = c->o.name;
	s.command = c->o.command;
	s.fingerprint = c->o.fingerprint;
	s.parent = c->o.parent;
	/* pp-registry itself exits at once: the run belongs to its caller. */
	s.pid = c->o.pid ? c->o.pid : (long)getppid();
	if (pp_registry_run_start(c->reg, &s, &log, id, &c->err) == -1)
		return -1;
	printf("%s\n", id);
	return 0;
}

static int
cmd_run_log(struct ctx *c)
{
	struct pp_log log;

	if (c->o.metrics_file) {
		FILE *fp = pp_in_open(c->o.metrics_file, &c->err);
		int rc;

		if (fp == NULL)
			return -1;
		rc = pp_registry_io_read_metrics(fp, pp_in_name(c->o.metrics_file),
		    &c->o.metrics, &c->err);
		if (fp != stdin)
			fclose(fp);
		if (rc == -1)
			return -1;
	}
	log = opts_log(&c->o);
	if (log.nparams + log.nmetrics + log.ntags == 0 &&
	    c->o.metrics_file == NULL)
		return pp_err_set(&c->err, PP_EXIT_USAGE, "run log: nothing to "
		    "log (--param, --metric, --tag or --metrics-file)");
	return pp_registry_log(c->reg, c->o.operands[0], &log, &c->err);
}

static int
cmd_run_end(struct ctx *c)
{
	struct pp_log log = opts_log(&c->o);

	return pp_registry_run_end(c->reg, c->o.operands[0], c->o.status,
	    &log, &c->err);
}

static int
cmd_art_put(struct ctx *c)
{
	const char *path = c->o.operands[1], *name = c->o.name;
	struct pp_buf data = PP_BUF_INIT;
	FILE *fp;
	int rc = -1, got;

	if (name == NULL) {
		if (strcmp(path, "-") == 0)
			return pp_err_set(&c->err, PP_EXIT_USAGE, "artifact "
			    "put: reading stdin needs --name");
		name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	}
	fp = pp_in_open(path, &c->err);
	if (fp == NULL)
		return -1;
	got = pp_buf_read_fp(&data, fp, PP_REGISTRY_ARTIFACT_MAX);
	if (got != 0)
		pp_err_set(&c->err, PP_EXIT_DATA, got == 1 ? "%s: longer than "
		    "1000000000 bytes" : "%s: read error", pp_in_name(path));
	else
		rc = pp_registry_artifact_put(c->reg, c->o.operands[0], name,
		    data.data, data.len, &c->err);
	if (fp != stdin)
		fclose(fp);
	pp_buf_release(&data);
	return rc;
}

static int
cmd_art_get(struct ctx *c)
{
	struct pp_buf data = PP_BUF_INIT;
	int rc;

	if (c->o.noperands == 2)
		rc = pp_registry_artifact_get(c->reg, c->o.operands[0],
		    c->o.operands[1], &data, &c->err);
	else if (pp_registry_is_uri(c->o.operands[0]))
		rc = pp_registry_load(c->reg, c->o.operands[0], &data, NULL,
		    &c->err);
	else
		rc = pp_err_set(&c->err, PP_EXIT_USAGE, "artifact get: want "
		    "RUN_ID NAME or a models:/ or runs:/ URI");
	if (rc == 0 && fwrite(data.data, 1, data.len, c->out.fp) != data.len)
		rc = pp_err_set(&c->err, PP_EXIT_DATA, "write error");
	pp_buf_release(&data);
	return rc;
}

static int
cmd_art_list(struct ctx *c)
{
	c->listing = 1;
	return pp_registry_artifacts(c->reg, c->o.operands[0], &c->table,
	    &c->err);
}

static int
cmd_models(struct ctx *c)
{
	c->listing = 1;
	return pp_registry_models(c->reg, &c->table, &c->err);
}

static int
cmd_versions(struct ctx *c)
{
	c->listing = 1;
	return pp_registry_versions(c->reg, c->o.operands[0], &c->table,
	    &c->err);
}

static int
cmd_register(struct ctx *c)
{
	const char *uri = c->o.operands[1], *slash;
	char run_id[PP_RUN_ID_LEN + 1], prefix[PP_RUN_ID_LEN + 2];
	int64_t version;
	size_t n;

	if (strncmp(uri, "runs:/", 6) != 0)
		return pp_err_set(&c->err, PP_EXIT_USAGE, "register: bad "
		    "source \"%s\": want runs:/RUN_ID[/ARTIFACT]", uri);
	slash = strchr(uri + 6, '/');
	n = slash ? (size_t)(slash - uri - 6) : strlen(uri + 6);
	if (n > PP_RUN_ID_LEN)
		n = PP_RUN_ID_LEN + 1;	/* too long: the expansion says so */
	snprintf(prefix, sizeof(prefix), "%.*s", (int)n, uri + 6);
	if (pp_registry_run_expand(c->reg, prefix, run_id, &c->err) == -1) {
		pp_err_prefix(&c->err, "register: %s", uri);
		return -1;
	}
	if (pp_registry_register(c->reg, c->o.operands[0], run_id,
	    slash && slash[1] ? slash + 1 : NULL, c->o.description, &version,
	    &c->err) == -1)
		return -1;
	printf("%lld\n", (long long)version);
	return 0;
}

static int64_t
version_arg(const char *s)
{
	long v;

	if (pp_parse_long(s, 1, LONG_MAX, &v) == -1)
		pp_cli_usage_error("bad version \"%s\": want a whole number "
		    ">= 1", s);
	return v;
}

static int
cmd_promote(struct ctx *c)
{
	enum pp_stage stage;

	if (pp_stage_parse(c->o.operands[2], &stage, &c->err) == -1)
		return -1;
	return pp_registry_promote(c->reg, c->o.operands[0],
	    version_arg(c->o.operands[1]), stage, c->o.archive, &c->err);
}

/*
 * Exit 3 when --if-better keeps the alias where it is: the condition a
 * scheduler branches on ("no new champion"), not an error.
 */
static int
cmd_alias(struct ctx *c)
{
	struct pp_alias_move m = { 0, NULL, 0, 0, 0, 0, 0 };
	const char *v = c->o.operands[2];
	char b1[PP_DBL_BUFSZ], b2[PP_DBL_BUFSZ];

	m.version = strcmp(v, "latest") == 0 ? 0 : version_arg(v);
	m.metric = c->o.if_better;
	m.max = c->o.max;
	if (pp_registry_alias_move(c->reg, c->o.operands[0], c->o.operands[1],
	    &m, &c->err) == -1)
		return -1;
	if (m.moved)
		return 0;
	pp_fmt_double(b1, m.new_value);
	pp_fmt_double(b2, m.old_value);
	return pp_err_set(&c->err, PP_EXIT_HOLDS, "alias: kept \"%s\" at "
	    "version %lld: version %lld has %s %s, not %s than %s",
	    c->o.operands[1], (long long)m.holder, (long long)m.version,
	    m.metric, b1, m.max ? "higher" : "lower", b2);
}

static int
cmd_best(struct ctx *c)
{
	char id[PP_RUN_ID_LEN + 1];
	double value;

	if (pp_registry_best(c->reg, c->o.experiment, c->o.by, c->o.max, id,
	    &value, &c->err) == -1)
		return -1;
	printf("%s\n", id);
	return 0;
}

static int
cmd_unalias(struct ctx *c)
{
	return pp_registry_alias_delete(c->reg, c->o.operands[0],
	    c->o.operands[1], &c->err);
}

static int
cmd_resolve(struct ctx *c)
{
	static const char *const cols[] = {
		"model", "version", "run_id", "artifact"
	};
	struct pp_registry_ref ref = PP_REGISTRY_REF_INIT;
	struct pp_reg_table *t = &c->table;
	char v[32];
	size_t i;

	if (pp_registry_resolve(c->reg, c->o.operands[0], &ref, &c->err) ==
	    -1) {
		pp_registry_ref_release(&ref);
		return -1;
	}
	snprintf(v, sizeof(v), "%lld", (long long)ref.version);
	t->ncols = 4;
	t->nrows = 1;
	t->cap = 4;
	t->cols = pp_xcalloc(4, sizeof(*t->cols));
	t->cells = pp_xcalloc(4, sizeof(*t->cells));
	t->kinds = pp_xcalloc(4, 1);
	for (i = 0; i < 4; i++)
		t->cols[i] = pp_xstrdup(cols[i]);
	t->cells[0] = ref.model ? pp_xstrdup(ref.model) : NULL;
	t->cells[1] = ref.version ? pp_xstrdup(v) : NULL;
	t->cells[2] = pp_xstrdup(ref.run_id);
	t->cells[3] = ref.artifact ? pp_xstrdup(ref.artifact) : NULL;
	for (i = 0; i < 4; i++)
		t->kinds[i] = t->cells[i] == NULL ? PP_CELL_NULL
		    : i == 1 ? PP_CELL_NUM : PP_CELL_TEXT;
	pp_registry_ref_release(&ref);
	c->listing = 1;
	return 0;
}

static int
cmd_audit(struct ctx *c)
{
	c->listing = 1;
	return pp_registry_audit(c->reg, c->o.noperands ? c->o.operands[0]
	    : NULL, &c->table, &c->err);
}

static int
cmd_delete(struct ctx *c)
{
	return pp_registry_run_delete(c->reg, c->o.operands[0], &c->err);
}

static int
cmd_gc(struct ctx *c)
{
	long n;

	if (pp_registry_gc(c->reg, &n, &c->err) == -1)
		return -1;
	printf("removed %ld deleted run%s\n", n, n == 1 ? "" : "s");
	return 0;
}

static int
cmd_export(struct ctx *c)
{
	if (c->o.format == PP_FMT_AUTO)
		c->o.format = PP_FMT_CSV;
	c->listing = 1;
	return pp_registry_export(c->reg, &c->table, &c->err);
}

/*
 * copy FROM TO: the listing is the rows copied per table, every one of
 * them compared with the source afterwards.
 */
static int
cmd_copy(struct ctx *c)
{
	struct pp_registry *from, *to;
	int rc = -1;

	from = pp_registry_open(c->o.operands[0], PP_REG_READONLY, &c->err);
	if (from == NULL)
		return -1;
	to = pp_registry_open(c->o.operands[1], PP_REG_CREATE, &c->err);
	if (to != NULL)
		rc = pp_registry_copy(from, to, &c->table, &c->err);
	pp_registry_close(to);
	pp_registry_close(from);
	c->listing = rc == 0;
	return rc;
}

/*
 * Run ids as git takes commits: each run id operand (and --parent) may be
 * a unique prefix of 6 or more hex digits; it is replaced by the full id
 * before the command runs.  `artifact get URI` leaves its URI to the
 * resolver, which takes a prefix in runs:/ itself.
 */
static int
expand_ids(struct ctx *c, const struct cmd *cmd)
{
	int i;

	if (strcmp(cmd->name, "artifact get") == 0 && c->o.noperands == 1)
		return 0;
	c->ids = pp_xcalloc((size_t)c->o.noperands + 1, sizeof(*c->ids));
	for (i = 0; i < c->o.noperands; i++) {
		if (cmd->ids != ALL_IDS && (i >= 32 || !(cmd->ids >> i & 1)))
			continue;
		if (pp_registry_run_expand(c->reg, c->o.operands[i], c->ids[i],
		    &c->err) == -1)
			return -1;
		c->o.operands[i] = c->ids[i];
	}
	if (c->o.parent != NULL) {
		if (pp_registry_run_expand(c->reg, c->o.parent, c->parent,
		    &c->err) == -1) {
			pp_err_prefix(&c->err, "--parent");
			return -1;
		}
		c->o.parent = c->parent;
	}
	return 0;
}

static void
opts_release(struct opts *o)
{
	size_t i;

	for (i = 0; i < o->nparams; i++)
		free((char *)o->params[i].key);
	for (i = 0; i < o->ntags; i++)
		free((char *)o->tags[i].key);
	free(o->params);
	free(o->tags);
	pp_metric_list_release(&o->metrics);
	pp_cli_release(&o->cli);
	free(o->rows);
}

int
main(int argc, char *argv[])
{
	struct ctx c;
	const struct cmd *cmd;
	int rc = PP_EXIT_DATA;

	memset(&c, 0, sizeof(c));
	c.o.status = PP_RUN_FINISHED;
	cmd = parse_command_line(argc, argv, &c.o);
	if (pp_out_open(&c.out, c.o.output, &c.err) == -1)
		goto out;
	if (cmd->open != NONE) {
		c.reg = pp_registry_open(c.o.cli.c.registry, c.o.mark_failed ?
		    0 : cmd->open, &c.err);
		if (c.reg == NULL)
			goto out;
		pp_cli_note_created(&c.o.cli, pp_registry_created(c.reg));
		if (expand_ids(&c, cmd) == -1)
			goto out;
	}
	if (cmd->fn(&c) == -1)
		goto out;
	if (c.listing)
		pp_registry_io_write_cut(c.out.fp, &c.table, c.o.format, c.cut);
	if (pp_out_commit(&c.out, &c.err) == -1)
		goto out;
	rc = PP_EXIT_OK;
out:
	if (rc != PP_EXIT_OK) {
		pp_out_abort(&c.out);
		rc = pp_cli_exit_status(&c.err);
		pp_cli_report(&c.err);
	}
	pp_reg_table_release(&c.table);
	pp_registry_close(c.reg);
	free(c.ids);
	opts_release(&c.o);
	return rc;
}
