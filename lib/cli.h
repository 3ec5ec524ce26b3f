/*
 * cli.h - what every program's command line has in common.
 *
 * One table of options per program, merged with the common rows it asks
 * for (PP_CLI_*), drives getopt_long, the --help text, and the hidden
 * --list-options that completion tests compare against.  The common options
 * are handled here and land in struct pp_common; the program sees only its
 * own.  --help prints the usage to stdout and exits 0; --version prints
 * "NAME VERSION" and exits 0; a bad option or missing argument prints one
 * line to stderr and exits 2 (PP_EXIT_USAGE).
 *
 * pp_cli_init also sets the process up the same way everywhere: the
 * program name for messages, the C locale (we never call setlocale), and
 * SIGPIPE ending the process quietly with status 0 so `pp-x | head` is not
 * an error.  Files being written with pp_out_open are removed if SIGINT,
 * SIGTERM or SIGHUP arrives before they are committed.
 *
 * This module and cmd/ are the only code that writes to stderr or exits.
 */
#ifndef PP_CLI_H
#define PP_CLI_H

#include <stdio.h>

#include "err.h"
#include "util.h"

/* Which common options a program takes (bit set for pp_cli_init). */
enum {
	PP_CLI_OUTPUT = 1 << 0,	 /* -o FILE, -B/--binary, --compress */
	PP_CLI_INPUT = 1 << 1,	 /* -d/--delimiter C */
	PP_CLI_REGISTRY = 1 << 2, /* --registry PATH */
	PP_CLI_SKIPBAD = 1 << 3, /* --skip-bad */
	PP_CLI_PROGRESS = 1 << 4, /* -q/--quiet, --progress */
	PP_CLI_THREADS = 1 << 5	 /* --threads N */
};

/* The most threads --threads gives. */
#define PP_CLI_THREADS_MAX 64

/* Program-specific option ids must be >= PP_OPT_FIRST or a short letter. */
#define PP_OPT_FIRST 1000

/* One row of a program's option table; the table ends with a row whose
 * name is NULL. */
struct pp_opt {
	const char *name;	/* long name without "--" */
	int id;			/* short letter, or >= PP_OPT_FIRST */
	const char *arg;	/* argument name ("FILE") or NULL for a flag */
	const char *help;	/* one line for --help */
};

/*
 * Typed option rows (git's parse-options): a row names the variable it
 * fills, so a program's options are one table and no switch.  Write rows
 * with the PP_OPT_* macros below, end the table with PP_OPT_END, and hand
 * it to pp_cli_init_options; pp_cli_parse then fills every variable and
 * returns the index of the first operand.  A bad value is a usage error
 * in the one shape: "prog: --NAME: bad value "X": want ..." (exit 2).
 *
 *   FLAG      int *: set to 1
 *   STRING    const char **: the argument (with .empty: an empty one is
 *             "--NAME: empty WHAT")
 *   LONG      long *: a whole number in [min, max] (pp_cli_long)
 *   DOUBLE    double *: a number in [min, max], not NaN (pp_cli_double)
 *   DATE      int64_t *: days since the epoch from YYYY-MM-DD
 *   CALLBACK  cb(value, arg, err): -1 is a usage error printing err's
 *             message as it is (the callback writes the whole message)
 *
 * A row may name the subcommands that take it (.cmds, a bit set; 0: all):
 * pp_cli_check_cmd refuses a row given to another one.  pp_cli_given,
 * pp_cli_excludes and pp_cli_requires ask which rows were given.  After a
 * macro's help text, designated initializers set the optional fields:
 *   PP_OPT_STRING('e', "experiment", &o->exp, "NAME", "...", .empty = "name")
 *   PP_OPT_FLAG(0, "adjust", &f->adjust, "...", .cmds = CMD_FILE | CMD_HTTP)
 * The table is copied by pp_cli_init_options (it may live on the stack of
 * the function that parses); the variables must outlive pp_cli_parse.
 */
enum pp_option_type {
	PP_OPTION_END,
	PP_OPTION_FLAG,
	PP_OPTION_STRING,
	PP_OPTION_LONG,
	PP_OPTION_DOUBLE,
	PP_OPTION_DATE,
	PP_OPTION_CALLBACK
};

struct pp_option {
	enum pp_option_type type;
	int id;			/* short letter, or 0 for a long name only */
	const char *name;	/* long name without "--" */
	const char *arg;	/* argument name for --help; NULL for a flag */
	const char *help;	/* one line for --help */
	void *value;		/* what the row fills (see the types above) */
	long lo, hi;		/* LONG: the range */
	double min, max;	/* DOUBLE: the range */
	int (*cb)(void *value, const char *arg, struct pp_err *err);
	const char *empty;	/* STRING: an empty argument is an error */
	unsigned cmds;		/* subcommands taking it; 0: every one */
};

#define PP_OPT_FLAG(s, l, v, h, ...) { .type = PP_OPTION_FLAG, .id = (s), \
	.name = (l), .value = (v), .help = (h), __VA_ARGS__ }
#define PP_OPT_STRING(s, l, v, a, h, ...) { .type = PP_OPTION_STRING, \
	.id = (s), .name = (l), .value = (v), .arg = (a), .help = (h), \
	__VA_ARGS__ }
#define PP_OPT_LONG(s, l, v, min_, max_, a, h, ...) { \
	.type = PP_OPTION_LONG, .id = (s), .name = (l), .value = (v), \
	.lo = (min_), .hi = (max_), .arg = (a), .help = (h), __VA_ARGS__ }
#define PP_OPT_DOUBLE(s, l, v, min_, max_, a, h, ...) { \
	.type = PP_OPTION_DOUBLE, .id = (s), .name = (l), .value = (v), \
	.min = (min_), .max = (max_), .arg = (a), .help = (h), __VA_ARGS__ }
#define PP_OPT_DATE(s, l, v, a, h, ...) { .type = PP_OPTION_DATE, \
	.id = (s), .name = (l), .value = (v), .arg = (a), .help = (h), \
	__VA_ARGS__ }
#define PP_OPT_CALLBACK(s, l, v, f, a, h, ...) { \
	.type = PP_OPTION_CALLBACK, .id = (s), .name = (l), .value = (v), \
	.cb = (f), .arg = (a), .help = (h), __VA_ARGS__ }
#define PP_OPT_END { .type = PP_OPTION_END }

/* The values of the common options after parsing. */
struct pp_common {
	const char *output;	/* -o FILE; NULL means stdout */
	int binary;		/* -B, --compress, or PP_FORMAT=binary */
	int compress;		/* --compress: zlib each binary chunk */
	char delim;		/* -d; ',' by default */
	const char *registry;	/* --registry, $PP_REGISTRY, or "pp.db" */
	int registry_implicit;	/* 1: neither --registry nor $PP_REGISTRY */
	int skip_bad;		/* --skip-bad */
	int progress;		/* 1 if progress goes to stderr (tty, flags) */
	int quiet;		/* -q: no progress, reports or warnings */
	int threads;		/* --threads N, 1 to 64; by default the
				   processors available (pp_cpus_available),
				   1 without PP_CLI_THREADS.  Given, it is
				   also the CSV threads' count unless
				   $PP_CSV_THREADS is set */
	int threads_given;	/* 1 if --threads was given */
};

struct pp_cli {
	const char *usage;	   /* synopsis lines, "\n"-separated, no prog */
	const char *about;	   /* one paragraph after the synopsis, or NULL */
	const struct pp_opt *opts; /* the program's own rows */
	unsigned common;	   /* PP_CLI_* bits */
	struct pp_common c;	   /* filled by pp_cli_parse */
	int optind;		   /* first operand after pp_cli_next returns -1 */
	const char *optarg;	   /* argument of the option just returned */
	void *priv;		   /* getopt tables; owned, freed by release */
};

/* The name messages start with ("pp-fetch"), set by pp_cli_init. */
extern const char *pp_progname;

/* Set up the process (see above) and the parser.  argv0's basename
 * becomes pp_progname. */
void pp_cli_init(struct pp_cli *cli, const char *argv0, const char *usage,
    const struct pp_opt *opts, unsigned common);
void pp_cli_release(struct pp_cli *cli);

/* pp_cli_init for a table of typed rows (above) instead of id rows. */
void pp_cli_init_options(struct pp_cli *cli, const char *argv0,
    const char *usage, const struct pp_option *opts, unsigned common);

/* Parse every option of a pp_cli_init_options table, filling each row's
 * variable, and return the index of the first operand.  Exits 0 for
 * --help/--version and 2 for misuse, as pp_cli_next. */
int pp_cli_parse(struct pp_cli *cli, int argc, char *argv[]);

/* Whether the typed row with long name name was given (a name not in the
 * table is a bug in the program: it fails an assert). */
int pp_cli_given(const struct pp_cli *cli, const char *name);

/* A usage error "--A and --B exclude each other" if both were given. */
void pp_cli_excludes(const struct pp_cli *cli, const char *a, const char *b);

/* A usage error "--A needs --B" if A was given without B. */
void pp_cli_requires(const struct pp_cli *cli, const char *a, const char *b);

/* A new table (owned, free it) of the rows of t, ended by PP_OPT_END,
 * whose .cmds include cmd, in order; every row for cmd 0.  A program with
 * subcommands gives each command only its own rows, so its --help lists
 * them and another command's option is an unknown one there. */
struct pp_option *pp_cli_cmd_rows(const struct pp_option *t, unsigned cmd);

/* A usage error "--NAME: not an option of CMDNAME" for the first row (in
 * table order) given whose .cmds lacks cmd. */
void pp_cli_check_cmd(const struct pp_cli *cli, unsigned cmd,
    const char *cmdname);

/* Return the next program option's id (its argument in cli->optarg), or -1
 * when the options end (operands start at argv[cli->optind]).  Common
 * options are consumed here.  Exits 0 for --help/--version and 2 for
 * misuse. */
int pp_cli_next(struct pp_cli *cli, int argc, char *argv[]);

/* Print the usage text to fp. */
void pp_cli_print_usage(const struct pp_cli *cli, FILE *fp);

/* The exit status for a failure err describes: PP_EXIT_USAGE for a usage
 * error, PP_EXIT_HOLDS for a condition that holds, else PP_EXIT_DATA. */
int pp_cli_exit_status(const struct pp_err *err);

struct pp_write_opts;

/* Writer options from the common options: a binary frame for -B or
 * --compress (or PP_FORMAT=binary), zlib chunks for --compress, the CSV
 * separator of -d.  Other fields keep their PP_WRITE_OPTS_INIT values. */
void pp_cli_write_opts(const struct pp_cli *cli, struct pp_write_opts *wo);

/* Report a usage error ("prog: msg") and exit 2. */
void pp_cli_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* Print "prog: message" for err (one line) to stderr. */
void pp_cli_report(const struct pp_err *err);

/* Say "prog: created new registry ./pp.db" on stderr when created (see
 * pp_registry_created) and the path was implicit, unless quiet: a job
 * started in the wrong directory is noticed on its first run. */
void pp_cli_note_created(const struct pp_cli *cli, int created);

/* Flush stdout after a listing (--help, --version, --list): 0, or -1 with
 * err "<stdout>: write error: No space left on device" (stdout on
 * /dev/full once exited 1 without a word, or said "unknown error"). */
int pp_cli_flush_stdout(struct pp_err *err);

/* Print "prog: warning: message" to stderr unless quiet. */
void pp_cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Progress of long work, when progress is on (stderr a terminal, or
 * --progress; never with -q): "prog: N WHAT".  On a terminal the line is
 * rewritten in place at most four times a second; otherwise a line is
 * printed every ten seconds.  Cheap, but it reads the clock: call it every
 * few thousand items.  final: the last count, always shown, ending the
 * line; call it before printing anything else on stderr. */
void pp_cli_progress(size_t n, const char *what, int final);

/* When SIGINT, SIGTERM or SIGHUP arrives, call fn(sig, arg) on a thread of
 * its own, not in the signal handler, so it may do anything (mark a
 * registry run KILLED); the program's threads go on meanwhile.  Then the
 * temp files of pp_out_open are removed and the program dies of the
 * signal, as without fn.  A second signal while fn runs kills at once.
 * Call it once; -1 if it could not start the thread (signals then kill at
 * once, as before). */
int pp_cli_on_signal(void (*fn)(int sig, void *arg), void *arg);

/* The program's last steps (logging its result, publishing -o) go between
 * these two, so they never overlap fn: a signal that came before begin
 * calls fn and kills there, without returning; one that comes after waits
 * until end, and then only kills (fn is not called: the work is done or
 * its failure recorded).  Call end just before returning from main.  Both
 * do nothing without pp_cli_on_signal. */
void pp_cli_finish_begin(void);
void pp_cli_finish_end(void);

struct pp_run;

/* Make a signal end run (started, owned: run.h) KILLED through
 * pp_cli_on_signal, whose rules apply; a failure to mark it is a warning.
 * -1 (having warned that a signal will leave the run RUNNING) if the
 * watcher could not start. */
int pp_cli_guard_run(struct pp_run *run);

/* End run FAILED with why as its error (pp_run_fail), warning if that
 * cannot be written.  Call it after pp_cli_finish_begin. */
void pp_cli_fail_run(struct pp_run *run, const struct pp_err *why);

/* Checked option arguments: on a bad value they report
 * "prog: --NAME: bad value "X": why" and exit 2. */
long pp_cli_long(const char *name, const char *arg, long min, long max);
double pp_cli_double(const char *name, const char *arg, double min,
    double max);

/* Output opened by pp_out_open: stdout, or a temp file beside path that
 * pp_out_commit renames into place, so a reader never sees a partial file
 * and a failed run leaves nothing behind. */
struct pp_out {
	FILE *fp;		/* where to write */
	char *path;		/* final path, or NULL for stdout */
	char *tmp;		/* temp file being written, or NULL */
};

#define PP_OUT_INIT { NULL, NULL, NULL }

/* Open path for writing ("-" or NULL: stdout).  Returns 0 or -1. */
int pp_out_open(struct pp_out *o, const char *path, struct pp_err *err);

/* Flush and check for write errors, and fsync a temp file, without
 * renaming it: what can fail for an ordinary reason (a full disk, a closed
 * stdout) fails here, before the caller publishes anything elsewhere (a
 * registry version: run.h).  Returns 0, or -1 having removed the temp
 * file (as pp_out_abort). */
int pp_out_flush(struct pp_out *o, struct pp_err *err);

/* Flush, check for write errors, fsync and rename into place (or flush
 * stdout).  Returns 0, or -1 having removed the temp file. */
int pp_out_commit(struct pp_out *o, struct pp_err *err);

/* Give up: close and remove the temp file.  Safe after commit, and on an
 * initialised struct that was never opened. */
void pp_out_abort(struct pp_out *o);

/* pp_in_open and pp_in_name live in util.h (the library opens inputs
 * too); they are declared through this header as well. */

#endif
