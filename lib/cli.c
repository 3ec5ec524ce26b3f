/*
 * cli.c - the command line every program shares: the merged option table
 * behind getopt_long, --help and --list-options, the typed rows of
 * pp_cli_parse, usage errors and reports on stderr, -o files written
 * atomically, progress, and the signal watcher.
 *
 * The one idea: this file and cmd/ are the only code that prints or
 * exits.  Everything it keeps in globals (pp_progname, the temp files a
 * signal must remove, the watcher's pipe) is there because a signal
 * handler or an exit path has no other way to reach it.
 */
#include "cli.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "frame.h"
#include "num.h"
#include "run.h"
#include "util.h"
#include "buf.h"
#include "cpus.h"
#include "banned.h"

/* Ids of the common options (never returned to programs). */
enum {
	OPT_HELP = 'h',
	OPT_OUTPUT = 'o',
	OPT_BINARY = 'B',
	OPT_DELIM = 'd',
	OPT_QUIET = 'q',
	OPT_VERSION = 900,
	OPT_COMPRESS,
	OPT_REGISTRY,
	OPT_SKIPBAD,
	OPT_PROGRESS,
	OPT_THREADS,
	OPT_LISTOPTS
};

static const struct pp_opt common_output[] = {
	{ "output", OPT_OUTPUT, "FILE", "write to FILE (atomically) instead of stdout" },
	{ "binary", OPT_BINARY, NULL, "write a binary frame instead of CSV" },
	{ "compress", OPT_COMPRESS, NULL, "binary frame with zlib-compressed chunks" },
	{ NULL, 0, NULL, NULL }
};
static const struct pp_opt common_input[] = {
	{ "delimiter", OPT_DELIM, "C", "CSV field separator (default ',')" },
	{ NULL, 0, NULL, NULL }
};
static const struct pp_opt common_registry[] = {
	{ "registry", OPT_REGISTRY, "PATH", "registry: a SQLite file or a postgresql:// URL (default $PP_REGISTRY or ./pp.db)" },
	{ NULL, 0, NULL, NULL }
};
static const struct pp_opt common_skipbad[] = {
	{ "skip-bad", OPT_SKIPBAD, NULL, "skip and count bad rows instead of failing" },
	{ NULL, 0, NULL, NULL }
};
static const struct pp_opt common_progress[] = {
	{ "quiet", OPT_QUIET, NULL, "no progress or warnings on stderr" },
	{ "progress", OPT_PROGRESS, NULL, "progress on stderr even when not a terminal" },
	{ NULL, 0, NULL, NULL }
};
static const struct pp_opt common_threads[] = {
	{ "threads", OPT_THREADS, "N", "compute on N threads (default: the processors available)" },
	{ NULL, 0, NULL, NULL }
};
static const struct pp_opt common_always[] = {
	{ "help", OPT_HELP, NULL, "print this help and exit" },
	{ "version", OPT_VERSION, NULL, "print the version and exit" },
	{ "list-options", OPT_LISTOPTS, NULL, NULL },	/* hidden: completions */
	{ NULL, 0, NULL, NULL }
};

/* Parser state behind cli->priv. */
struct cli_priv {
	struct option *longopts;	/* getopt_long table */
	const struct pp_opt **rows;	/* every row, program's first */
	size_t nrows;
	struct pp_buf shortopts;	/* getopt short option string */
	int quiet;
	int progress_flag;
	struct pp_option *typed;	/* a copy of pp_cli_init_options' table */
	size_t ntyped;
	struct pp_opt *typed_rows;	/* its id rows, for getopt and --help */
	unsigned char *seen;		/* seen[i]: typed[i] was given */
	int csv_env;			/* $PP_CSV_THREADS was set */
};

/* Ids of typed rows without a short letter: TYPED_ID + their index. */
#define TYPED_ID 3000

static int warn_quiet;

/* The state of pp_cli_progress. */
static struct {
	int on;			/* cli->c.progress */
	int tty;		/* stderr is a terminal: rewrite one line */
	int open;		/* a line is on the terminal without its newline */
	double next;		/* when to show the next count; 0: not yet timed */
} progress;

/* End a progress line left open, before anything else goes to stderr. */
static void
progress_break(void)
{
	if (progress.open) {
		fputc('\n', stderr);
		progress.open = 0;
	}
}

/*
 * Files being written by pp_out_open that a signal must not leave behind.
 * This is the one piece of global state: a signal handler has no other way
 * to reach it.  The paths are allocated before they are published here.
 */
#define MAX_TEMPS 8
static char *volatile temps[MAX_TEMPS];

/* pp_cli_on_signal: the handler writes the signal to sig_pipe and a
 * watching thread does the rest. */
static int sig_pipe[2] = { -1, -1 };
/* Atomic: the handler runs on whichever thread took the signal, and two
 * signals on two threads must not both claim the watcher. */
static atomic_int sig_seen;
static void (*sig_fn)(int, void *);	/* NULL once finishing ended */
static void *sig_arg;
/* Held by the watcher from a signal to death, and by the program's thread
 * through its last steps (pp_cli_finish_begin): the two never overlap. */
static pthread_mutex_t sig_mu = PTHREAD_MUTEX_INITIALIZER;
static int finishing;

static void
remove_temps(void)
{
	size_t i;

	for (i = 0; i < MAX_TEMPS; i++)
		if (temps[i] != NULL)
			unlink(temps[i]);
}

/* pp_oom_hook: out of memory is an error (exit 1), not a crash, and
 * leaves no temp file where the output would have been.  _exit: the heap
 * is exhausted, and atexit handlers or a writer thread may want it. */
static void
oom_exit(void)
{
	remove_temps();
	_exit(PP_EXIT_DATA);
}

/* Remove the temp files and die of sig. */
static void
die_of(int sig)
{
	remove_temps();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
on_fatal_signal(int sig)
{
	unsigned char b = (unsigned char)sig;

	if (sig_pipe[1] >= 0 && atomic_exchange(&sig_seen, 1) == 0) {
		if (write(sig_pipe[1], &b, 1) == 1)
			return;
	}
	die_of(sig);
}

static void *
watch_signals(void *unused)
{
	unsigned char b;
	ssize_t n;

	(void)unused;
	do
		n = read(sig_pipe[0], &b, 1);
	while (n == -1 && errno == EINTR);
	if (n != 1)
		return NULL;
	pthread_mutex_lock(&sig_mu);
	if (sig_fn != NULL)
		sig_fn(b, sig_arg);
	die_of(b);
	return NULL;
}

void
pp_cli_finish_begin(void)
{
	if (sig_pipe[0] < 0 || finishing)
		return;
	pthread_mutex_lock(&sig_mu);
	if (atomic_load(&sig_seen)) {
		/* Too late: the watcher marks the work killed and kills. */
		pthread_mutex_unlock(&sig_mu);
		for (;;)
			pause();
	}
	finishing = 1;
}

void
pp_cli_finish_end(void)
{
	if (!finishing)
		return;
	sig_fn = NULL;
	finishing = 0;
	pthread_mutex_unlock(&sig_mu);
}

int
pp_cli_on_signal(void (*fn)(int sig, void *arg), void *arg)
{
	pthread_t th;

	if (sig_pipe[0] >= 0 || pipe(sig_pipe) == -1)
		return -1;
	sig_fn = fn;
	sig_arg = arg;
	if (pthread_create(&th, NULL, watch_signals, NULL) != 0) {
		close(sig_pipe[0]);
		close(sig_pipe[1]);
		sig_pipe[0] = sig_pipe[1] = -1;
		return -1;
	}
	pthread_detach(th);
	return 0;
}

/* pp_cli_guard_run's signal callback: on the watcher's thread. */
static void
run_killed(int sig, void *arg)
{
	const struct pp_run *run = arg;
	struct pp_err err = PP_ERR_INIT;

	if (pp_run_kill(run, sig, &err) == -1)
		pp_cli_warn("run %s not marked KILLED: %s", run->id, err.msg);
}

int
pp_cli_guard_run(struct pp_run *run)
{
	if (pp_cli_on_signal(run_killed, run) == 0)
		return 0;
	pp_cli_warn("a signal will leave run %s RUNNING", run->id);
	return -1;
}

void
pp_cli_fail_run(struct pp_run *run, const struct pp_err *why)
{
	struct pp_err err = PP_ERR_INIT;

	if (pp_run_fail(run, why, &err) == -1)
		pp_cli_warn("run %s not marked FAILED: %s", run->id, err.msg);
}

static void
on_sigpipe(int sig)
{
	(void)sig;
	remove_temps();
	_exit(0);
}

static void
track_temp(char *path, int add)
{
	size_t i;

	for (i = 0; i < MAX_TEMPS; i++) {
		if (add && temps[i] == NULL) {
			temps[i] = path;
			return;
		}
		if (!add && temps[i] == path) {
			temps[i] = NULL;
			return;
		}
	}
}

static void
add_rows(struct cli_priv *p, const struct pp_opt *rows)
{
	for (; rows->name != NULL; rows++) {
		p->rows = pp_xrealloc(p->rows, (p->nrows + 1) * sizeof(*p->rows));
		p->rows[p->nrows++] = rows;
	}
}

/* $PP_CSV_THREADS: a whole number from 1 to 64, else a usage error. */
static void
csv_threads(const char *env)
{
	long n;

	if (pp_parse_long(env, 1, 64, &n) == -1)
		pp_cli_usage_error("PP_CSV_THREADS: bad value \"%s\": want a "
		    "whole number from 1 to 64", env);
	pp_frame_set_csv_threads((int)n);
}

void
pp_cli_init(struct pp_cli *cli, const char *argv0, const char *usage,
    const struct pp_opt *opts, unsigned common)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
	struct cli_priv *p;
	const char *env;
	size_t i;

	pp_progname = slash ? slash + 1 : (argv0 ? argv0 : "pp");
	pp_oom_hook = oom_exit;
	p = pp_xcalloc(1, sizeof(*p));
	signal(SIGPIPE, on_sigpipe);
	signal(SIGINT, on_fatal_signal);
	signal(SIGTERM, on_fatal_signal);
	signal(SIGHUP, on_fatal_signal);

	memset(cli, 0, sizeof(*cli));
	cli->usage = usage;
	cli->opts = opts;
	cli->common = common;
	cli->c.delim = ',';
	env = getenv("PP_REGISTRY");
	cli->c.registry = env && *env ? env : "pp.db";
	cli->c.registry_implicit = !(env && *env);
	env = getenv("PP_FORMAT");
	if (env && strcmp(env, "binary") == 0)
		cli->c.binary = 1;
	env = getenv("PP_CSV_THREADS");
	if (env && *env)
		csv_threads(env);
	p->csv_env = env && *env;
	cli->c.threads = 1;
	if (common & PP_CLI_THREADS) {
		cli->c.threads = pp_cpus_available();
		if (cli->c.threads > PP_CLI_THREADS_MAX)
			cli->c.threads = PP_CLI_THREADS_MAX;
	}
	cli->priv = p;

	pp_buf_init(&p->shortopts);
	pp_buf_addstr(&p->shortopts, ":");	/* report missing arguments */
	if (opts)
		add_rows(p, opts);
	if (common & PP_CLI_OUTPUT)
		add_rows(p, common_output);
	if (common & PP_CLI_INPUT)
		add_rows(p, common_input);
	if (common & PP_CLI_REGISTRY)
		add_rows(p, common_registry);
	if (common & PP_CLI_SKIPBAD)
		add_rows(p, common_skipbad);
	if (common & PP_CLI_PROGRESS)
		add_rows(p, common_progress);
	if (common & PP_CLI_THREADS)
		add_rows(p, common_threads);
	add_rows(p, common_always);

	p->longopts = pp_xcalloc(p->nrows + 1, sizeof(*p->longopts));
	for (i = 0; i < p->nrows; i++) {
		const struct pp_opt *r = p->rows[i];

		p->longopts[i].name = r->name;
		p->longopts[i].has_arg = r->arg ? required_argument : no_argument;
		p->longopts[i].val = r->id;
		if (r->id > 0 && r->id < 128) {
			pp_buf_addc(&p->shortopts, (char)r->id);
			if (r->arg)
				pp_buf_addc(&p->shortopts, ':');
		}
	}
}

void
pp_cli_init_options(struct pp_cli *cli, const char *argv0, const char *usage,
    const struct pp_option *opts, unsigned common)
{
	struct pp_option *typed;
	struct pp_opt *rows;
	struct cli_priv *p;
	size_t i, n;

	/* Before the first allocation: out of memory names the program
	 * and exits 1. */
	pp_progname = argv0 && strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 :
	    (argv0 ? argv0 : "pp");
	pp_oom_hook = oom_exit;
	for (n = 0; opts[n].type != PP_OPTION_END; n++)
		;
	typed = pp_xcalloc(n + 1, sizeof(*typed));
	memcpy(typed, opts, n * sizeof(*typed));
	rows = pp_xcalloc(n + 1, sizeof(*rows));
	for (i = 0; i < n; i++) {
		rows[i].name = opts[i].name;
		rows[i].id = opts[i].id ? opts[i].id : TYPED_ID + (int)i;
		rows[i].arg = opts[i].arg;
		rows[i].help = opts[i].help;
	}
	pp_cli_init(cli, argv0, usage, rows, common);
	p = cli->priv;
	p->typed = typed;
	p->ntyped = n;
	p->typed_rows = rows;
	p->seen = pp_xcalloc(n + 1, 1);
}

/* The index of the typed row with getopt id id, or -1. */
static long
typed_index(const struct cli_priv *p, int id)
{
	size_t i;

	if (id >= TYPED_ID && (size_t)(id - TYPED_ID) < p->ntyped)
		return id - TYPED_ID;
	for (i = 0; i < p->ntyped; i++)
		if (p->typed[i].id == id)
			return (long)i;
	return -1;
}

static long
typed_by_name(const struct cli_priv *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->ntyped; i++)
		if (strcmp(p->typed[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* Fill row o's variable from arg, or exit 2. */
static void
apply(const struct pp_option *o, const char *arg)
{
	struct pp_err err = PP_ERR_INIT;
	int64_t d;

	switch (o->type) {
	case PP_OPTION_FLAG:
		*(int *)o->value = 1;
		break;
	case PP_OPTION_STRING:
		if (o->empty != NULL && *arg == '\0')
			pp_cli_usage_error("--%s: empty %s", o->name, o->empty);
		*(const char **)o->value = arg;
		break;
	case PP_OPTION_LONG:
		*(long *)o->value = pp_cli_long(o->name, arg, o->lo, o->hi);
		break;
	case PP_OPTION_DOUBLE:
		*(double *)o->value = pp_cli_double(o->name, arg, o->min,
		    o->max);
		break;
	case PP_OPTION_DATE:
		if (pp_date_parse(arg, strlen(arg), &d) == -1)
			pp_cli_usage_error("--%s: bad value \"%s\": want a "
			    "date YYYY-MM-DD", o->name, arg);
		*(int64_t *)o->value = d;
		break;
	case PP_OPTION_CALLBACK:
		if (o->cb(o->value, arg, &err) == -1)
			pp_cli_usage_error("%s", err.msg);
		break;
	case PP_OPTION_END:
		break;
	}
}

int
pp_cli_parse(struct pp_cli *cli, int argc, char *argv[])
{
	struct cli_priv *p = cli->priv;
	long i;
	int c;

	while ((c = pp_cli_next(cli, argc, argv)) != -1) {
		if ((i = typed_index(p, c)) == -1)
			pp_cli_usage_error("unknown option");
		p->seen[i] = 1;
		apply(&p->typed[i], cli->optarg);
	}
	return cli->optind;
}

int
pp_cli_given(const struct pp_cli *cli, const char *name)
{
	const struct cli_priv *p = cli->priv;
	long i = typed_by_name(p, name);

	assert(i >= 0);
	return p->seen[i];
}

void
pp_cli_excludes(const struct pp_cli *cli, const char *a, const char *b)
{
	if (pp_cli_given(cli, a) && pp_cli_given(cli, b))
		pp_cli_usage_error("--%s and --%s exclude each other", a, b);
}

void
pp_cli_requires(const struct pp_cli *cli, const char *a, const char *b)
{
	if (pp_cli_given(cli, a) && !pp_cli_given(cli, b))
		pp_cli_usage_error("--%s needs --%s", a, b);
}

struct pp_option *
pp_cli_cmd_rows(const struct pp_option *t, unsigned cmd)
{
	struct pp_option *rows;
	size_t i, n = 0;

	for (i = 0; t[i].type != PP_OPTION_END; i++)
		;
	rows = pp_xcalloc(i + 1, sizeof(*rows));
	for (i = 0; t[i].type != PP_OPTION_END; i++)
		if (cmd == 0 || t[i].cmds == 0 || (t[i].cmds & cmd) != 0)
			rows[n++] = t[i];
	rows[n].type = PP_OPTION_END;
	return rows;
}

void
pp_cli_check_cmd(const struct pp_cli *cli, unsigned cmd, const char *cmdname)
{
	const struct cli_priv *p = cli->priv;
	size_t i;

	for (i = 0; i < p->ntyped; i++)
		if (p->seen[i] && p->typed[i].cmds != 0 &&
		    (p->typed[i].cmds & cmd) == 0)
			pp_cli_usage_error("--%s: not an option of %s",
			    p->typed[i].name, cmdname);
}

int
pp_cli_exit_status(const struct pp_err *err)
{
	return err->code == PP_EXIT_USAGE || err->code == PP_EXIT_HOLDS ?
	    err->code : PP_EXIT_DATA;
}

void
pp_cli_write_opts(const struct pp_cli *cli, struct pp_write_opts *wo)
{
	wo->format = cli->c.binary ? PP_FMT_BIN : PP_FMT_CSV;
	wo->compress = cli->c.compress;
	wo->delim = cli->c.delim;
}

void
pp_cli_release(struct pp_cli *cli)
{
	struct cli_priv *p = cli->priv;

	if (p == NULL)
		return;
	free(p->typed);
	free(p->typed_rows);
	free(p->seen);
	free(p->longopts);
	free(p->rows);
	pp_buf_release(&p->shortopts);
	free(p);
	cli->priv = NULL;
}

void
pp_cli_print_usage(const struct pp_cli *cli, FILE *fp)
{
	const struct cli_priv *p = cli->priv;
	const char *line = cli->usage, *nl;
	size_t i;

	/* Each synopsis line: "usage: prog ..." then "       prog ...";
	 * a line starting with a space goes on the one before it, so it is
	 * indented past the name instead. */
	for (i = 0; line && *line; i++, line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		fprintf(fp, "%s %*s %.*s\n", i == 0 ? "usage:" : "      ",
		    (int)strlen(pp_progname), *line == ' ' ? "" : pp_progname,
		    (int)(nl ? (size_t)(nl - line) : strlen(line)), line);
		if (nl == NULL)
			break;
	}
	if (cli->about)
		fprintf(fp, "\n%s\n", cli->about);
	fprintf(fp, "\noptions:\n");
	for (i = 0; i < p->nrows; i++) {
		const struct pp_opt *r = p->rows[i];
		char left[64];

		if (r->help == NULL)
			continue;
		if (r->id > 0 && r->id < 128)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", r->id,
			    r->name, r->arg ? " " : "", r->arg ? r->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", r->name,
			    r->arg ? " " : "", r->arg ? r->arg : "");
		if (strlen(left) > 26)
			fprintf(fp, "  %s\n  %-26s  %s\n", left, "", r->help);
		else
			fprintf(fp, "  %-26s  %s\n", left, r->help);
	}
}

static const struct pp_opt *
find_row(const struct cli_priv *p, int id)
{
	size_t i;

	for (i = 0; i < p->nrows; i++)
		if (p->rows[i]->id == id)
			return p->rows[i];
	return NULL;
}

/* The option argv[optind-1] named, for messages about it. */
static const char *
opt_display(const struct cli_priv *p, int id, char *buf, size_t n)
{
	const struct pp_opt *r = find_row(p, id);

	if (r)
		snprintf(buf, n, "--%s", r->name);
	else
		snprintf(buf, n, "-%c", id);
	return buf;
}

int
pp_cli_flush_stdout(struct pp_err *err)
{
	int e = 0;

	if (fflush(stdout) != 0)
		e = errno;
	else if (ferror(stdout))
		e = EIO;
	if (e == 0)
		return 0;
	return pp_err_errno(err, e, "<stdout>: write error");
}

/* Exit after a listing: 0, or 1 with one line if stdout failed. */
static void exit_listing(void) __attribute__((noreturn));

static void
exit_listing(void)
{
	struct pp_err err = PP_ERR_INIT;

	if (pp_cli_flush_stdout(&err) == 0)
		exit(PP_EXIT_OK);
	pp_cli_report(&err);
	exit(PP_EXIT_DATA);
}

static void
list_options(const struct cli_priv *p)
{
	size_t i;

	for (i = 0; i < p->nrows; i++) {
		const struct pp_opt *r = p->rows[i];

		if (r->help == NULL)
			continue;
		if (r->id > 0 && r->id < 128)
			printf("-%c\n", r->id);
		printf("--%s\n", r->name);
	}
	exit_listing();
}

int
pp_cli_next(struct pp_cli *cli, int argc, char *argv[])
{
	struct cli_priv *p = cli->priv;
	char name[80];
	int c;

	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, p->shortopts.data, p->longopts, NULL);
		cli->optarg = optarg;
		cli->optind = optind;
		switch (c) {
		case -1:
			cli->c.progress = !p->quiet &&
			    (p->progress_flag || isatty(STDERR_FILENO));
			warn_quiet = p->quiet;
			cli->c.quiet = p->quiet;
			progress.on = cli->c.progress;
			progress.tty = isatty(STDERR_FILENO);
			return -1;
		case '?':
			/* A flag given "=value" comes back as '?' with optopt
			 * set to its id. */
			if (optopt && find_row(p, optopt) != NULL)
				pp_cli_usage_error("option %s takes no argument",
				    opt_display(p, optopt, name, sizeof(name)));
			if (optopt > 0 && optopt < 128)
				pp_cli_usage_error("unknown option -%c", optopt);
			if (optopt)
				pp_cli_usage_error("unknown option %s",
				    argv[optind - 1]);
			pp_cli_usage_error("unknown option %s",
			    argv[optind - 1]);
		case ':':
			pp_cli_usage_error("option %s needs an argument",
			    optopt ? opt_display(p, optopt, name, sizeof(name))
				   : argv[optind - 1]);
		case OPT_HELP:
			pp_cli_print_usage(cli, stdout);
			exit_listing();
		case OPT_VERSION:
			printf("%s %s\n", pp_progname, PP_VERSION);
			exit_listing();
		case OPT_LISTOPTS:
			list_options(p);
			break;
		case OPT_OUTPUT:
			if ((cli->common & PP_CLI_OUTPUT) == 0)
				return c;
			if (*optarg == '\0')
				pp_cli_usage_error("--output: empty file name");
			cli->c.output = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		case OPT_BINARY:
			if ((cli->common & PP_CLI_OUTPUT) == 0)
				return c;
			cli->c.binary = 1;
			break;
		case OPT_COMPRESS:
			cli->c.binary = 1;
			cli->c.compress = 1;
			break;
		case OPT_DELIM:
			if ((cli->common & PP_CLI_INPUT) == 0)
				return c;
			if (strcmp(optarg, "\\t") == 0 || strcmp(optarg, "tab") == 0)
				cli->c.delim = '\t';
			else if (strlen(optarg) != 1 || optarg[0] == '"' ||
			    optarg[0] == '\n' || optarg[0] == '\r')
				pp_cli_usage_error("--delimiter: bad value \"%s\": "
				    "want one character other than '\"' or a newline",
				    optarg);
			else
				cli->c.delim = optarg[0];
			break;
		case OPT_REGISTRY:
			if (*optarg == '\0')
				pp_cli_usage_error("--registry: empty path");
			cli->c.registry = optarg;
			cli->c.registry_implicit = 0;
			break;
		case OPT_SKIPBAD:
			cli->c.skip_bad = 1;
			break;
		case OPT_THREADS:
			cli->c.threads = (int)pp_cli_long("threads", optarg, 1,
			    PP_CLI_THREADS_MAX);
			cli->c.threads_given = 1;
			/* $PP_CSV_THREADS says more precisely what it wants. */
			if (!p->csv_env)
				pp_frame_set_csv_threads(cli->c.threads);
			break;
		case OPT_QUIET:
			if ((cli->common & PP_CLI_PROGRESS) == 0)
				return c;
			p->quiet = 1;
			p->progress_flag = 0;
			break;
		case OPT_PROGRESS:
			p->progress_flag = 1;
			p->quiet = 0;
			break;
		default:
			return c;
		}
	}
}

/*
 * Write "prog: " prefix, then s with what a user-supplied name may carry
 * that would act on the terminal or tear the message (an escape sequence,
 * a carriage return, a C1 control, a lone byte of a UTF-8 character)
 * shown as \xNN.  Newlines stay: the only messages that hold them on
 * purpose are the spec errors that draw a caret under a definition.
 */
static void
put_message(const char *prefix, const char *s)
{
	struct pp_buf b = PP_BUF_INIT;
	size_t n = strlen(s), i = 0, len;

	pp_buf_addf(&b, "%s: %s", pp_progname, prefix);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
			pp_buf_addc(&b, (char)c);
		} else if (c >= 0x80 && i + len <= n &&
		    pp_utf8_valid(s + i, len, NULL) &&
		    !(c == 0xc2 && (unsigned char)s[i + 1] < 0xa0)) {
			pp_buf_add(&b, s + i, len);
			i += len;
			continue;
		} else {
			pp_buf_addf(&b, "\\x%02x", c);
		}
		i++;
	}
	pp_buf_addc(&b, '\n');
	fwrite(b.data, 1, b.len, stderr);
	pp_buf_release(&b);
}

static void
put_vmessage(const char *prefix, const char *fmt, va_list ap)
{
	struct pp_buf b = PP_BUF_INIT;

	pp_buf_vaddf(&b, fmt, ap);
	put_message(prefix, b.data);
	pp_buf_release(&b);
}

void
pp_cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_vmessage("", fmt, ap);
	va_end(ap);
	exit(PP_EXIT_USAGE);
}

void
pp_cli_report(const struct pp_err *err)
{
	progress_break();
	put_message("", err->msg[0] ? err->msg : "unknown error");
}

void
pp_cli_note_created(const struct pp_cli *cli, int created)
{
	if (created && cli->c.registry_implicit && !cli->c.quiet) {
		progress_break();
		fprintf(stderr, "%s: created new registry ./%s\n", pp_progname,
		    cli->c.registry);
	}
}

void
pp_cli_warn(const char *fmt, ...)
{
	va_list ap;

	if (warn_quiet)
		return;
	progress_break();
	va_start(ap, fmt);
	put_vmessage("warning: ", fmt, ap);
	va_end(ap);
}

void
pp_cli_progress(size_t n, const char *what, int final)
{
	struct timespec ts;
	double now;

	if (!progress.on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
	if (progress.next == 0 && !final) {
		/* Short work shows nothing but its final count. */
		progress.next = now + (progress.tty ? 0.25 : 10);
		return;
	}
	if (!final && now < progress.next)
		return;
	progress.next = now + (progress.tty ? 0.25 : 10);
	if (progress.tty) {
		/* Rewrite the line in place; clear what a longer one left. */
		fprintf(stderr, "\r%s: %zu %s\033[K", pp_progname, n, what);
		progress.open = 1;
		if (final)
			progress_break();
	} else {
		fprintf(stderr, "%s: %zu %s\n", pp_progname, n, what);
	}
	fflush(stderr);
}

long
pp_cli_long(const char *name, const char *arg, long min, long max)
{
	long v;

	if (pp_parse_long(arg, min, max, &v) == -1)
		pp_cli_usage_error("--%s: bad value \"%s\": want a whole number "
		    "from %ld to %ld", name, arg, min, max);
	return v;
}

double
pp_cli_double(const char *name, const char *arg, double min, double max)
{
	char lo[PP_DBL_BUFSZ], hi[PP_DBL_BUFSZ];
	double v;

	if (pp_parse_double(arg, strlen(arg), &v) == -1 || v != v ||
	    v < min || v > max) {
		pp_fmt_double(lo, min);
		pp_fmt_double(hi, max);
		pp_cli_usage_error("--%s: bad value \"%s\": want a number from "
		    "%s to %s", name, arg, lo, hi);
	}
	return v;
}

int
pp_out_open(struct pp_out *o, const char *path, struct pp_err *err)
{
	struct pp_buf tmp = PP_BUF_INIT;
	struct stat st;
	char *real = NULL;	/* what a symbolic link names */
	mode_t mask;
	int fd;

	o->fp = NULL;
	o->path = NULL;
	o->tmp = NULL;
	if (path == NULL || strcmp(path, "-") == 0) {
		o->fp = stdout;
		return 0;
	}
	/* A device or a FIFO (-o /dev/null, -o /dev/stdout, a named pipe)
	 * is written in place: renaming a file over it would replace it. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return pp_err_errno(err, EISDIR, "%s", path);
		o->fp = fopen(path, "w");
		if (o->fp == NULL)
			return pp_err_errno(err, errno, "%s", path);
		o->path = pp_xstrdup(path);
		return 0;
	}
	/* A symbolic link is written through, as cp(1) does: the file it
	 * names is replaced and the link stays.  A dangling one is refused,
	 * as cp refuses it, rather than replaced by a file. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		if ((real = realpath(path, NULL)) == NULL)
			return pp_err_set(err, PP_EXIT_DATA, "%s: not writing "
			    "through a dangling symbolic link", path);
		path = real;
	}
	pp_buf_addf(&tmp, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp.data);
	if (fd == -1) {
		pp_err_errno(err, errno, "%s", path);
		pp_buf_release(&tmp);
		free(real);
		return -1;
	}
	/* mkstemp makes 0600; give the file the mode of the one it will
	 * replace, or what open(2) would give a new one. */
	if (stat(path, &st) == 0) {
		(void)fchmod(fd, st.st_mode & 07777);
	} else {
		mask = umask(0);
		umask(mask);
		(void)fchmod(fd, 0666 & ~mask);
	}
	o->tmp = pp_buf_detach(&tmp, NULL);
	track_temp(o->tmp, 1);
	o->path = pp_xstrdup(path);
	free(real);
	o->fp = fdopen(fd, "w");
	if (o->fp == NULL) {
		pp_err_errno(err, errno, "%s", o->path);
		close(fd);
		pp_out_abort(o);
		return -1;
	}
	return 0;
}

int
pp_out_flush(struct pp_out *o, struct pp_err *err)
{
	FILE *fp = o->fp;
	int e;

	if (fp == NULL)
		return 0;
	if (fflush(fp) == 0 && !ferror(fp) &&
	    (o->tmp == NULL || fsync(fileno(fp)) == 0))
		return 0;
	e = errno;
	pp_err_errno(err, e, "%s: write error", o->path ? o->path :
	    "<stdout>");
	pp_out_abort(o);
	return -1;
}

int
pp_out_commit(struct pp_out *o, struct pp_err *err)
{
	FILE *fp = o->fp;
	int bad;

	if (fp == NULL)
		return 0;
	if (o->tmp == NULL) {
		/* stdout, or a device written in place. */
		o->fp = NULL;
		bad = fflush(fp) != 0 || ferror(fp);
		if (fp != stdout && fclose(fp) != 0)
			bad = 1;
		if (bad) {
			pp_err_errno(err, errno, "%s: write error",
			    o->path ? o->path : "<stdout>");
			free(o->path);
			o->path = NULL;
			return -1;
		}
		free(o->path);
		o->path = NULL;
		return 0;
	}
	if (pp_out_flush(o, err) == -1)
		return -1;
	o->fp = NULL;
	if (fclose(fp) != 0 || rename(o->tmp, o->path) != 0) {
		int e = errno;

		pp_err_errno(err, e, "%s", o->path);
		pp_out_abort(o);
		return -1;
	}
	track_temp(o->tmp, 0);
	free(o->tmp);
	o->tmp = NULL;
	free(o->path);
	o->path = NULL;
	return 0;
}

void
pp_out_abort(struct pp_out *o)
{
	if (o->fp != NULL && o->fp != stdout)
		fclose(o->fp);
	o->fp = NULL;
	if (o->tmp != NULL) {
		unlink(o->tmp);
		track_temp(o->tmp, 0);
		free(o->tmp);
		o->tmp = NULL;
	}
	free(o->path);
	o->path = NULL;
}
