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

/* Which common options a program takes (bit set for pp_cli_init). */
enum {
	PP_CLI_OUTPUT = 1 << 0,	 /* -o FILE, -B/--binary, --compress */
	PP_CLI_INPUT = 1 << 1,	 /* -d/--delimiter C */
	PP_CLI_REGISTRY = 1 << 2, /* --registry PATH */
	PP_CLI_SKIPBAD = 1 << 3, /* --skip-bad */
	PP_CLI_PROGRESS = 1 << 4 /* -q/--quiet, --progress */
};

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

/* The values of the common options after parsing. */
struct pp_common {
	const char *output;	/* -o FILE; NULL means stdout */
	int binary;		/* -B, --compress, or PP_FORMAT=binary */
	int compress;		/* --compress: zlib each binary chunk */
	char delim;		/* -d; ',' by default */
	const char *registry;	/* --registry, $PP_REGISTRY, or "pp.db" */
	int skip_bad;		/* --skip-bad */
	int progress;		/* 1 if progress goes to stderr (tty, flags) */
	int quiet;		/* -q: no progress, reports or warnings */
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

/* Return the next program option's id (its argument in cli->optarg), or -1
 * when the options end (operands start at argv[cli->optind]).  Common
 * options are consumed here.  Exits 0 for --help/--version and 2 for
 * misuse. */
int pp_cli_next(struct pp_cli *cli, int argc, char *argv[]);

/* Print the usage text to fp. */
void pp_cli_print_usage(const struct pp_cli *cli, FILE *fp);

/* Report a usage error ("prog: msg") and exit 2. */
void pp_cli_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* Print "prog: message" for err (one line) to stderr. */
void pp_cli_report(const struct pp_err *err);

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

/* Flush, check for write errors, fsync and rename into place (or flush
 * stdout).  Returns 0, or -1 having removed the temp file. */
int pp_out_commit(struct pp_out *o, struct pp_err *err);

/* Give up: close and remove the temp file.  Safe after commit, and on an
 * initialised struct that was never opened. */
void pp_out_abort(struct pp_out *o);

/* Open an input path for reading ("-" or NULL: stdin).  On failure sets
 * "PATH: strerror" and returns NULL. */
FILE *pp_in_open(const char *path, struct pp_err *err);

/* Display name of an input path: "-" and NULL read "<stdin>". */
const char *pp_in_name(const char *path);

#endif
