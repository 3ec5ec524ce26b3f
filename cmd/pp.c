/*
 * pp - the dispatcher: `pp fetch ...` runs pp-fetch, as git runs its
 * commands, plus the built-ins cat, describe, shard, sort, help and
 * commands.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "describe.h"
#include "frame.h"
#include "num.h"
#include "shard.h"
#include "sort.h"
#include "util.h"
#include "view.h"
#include "banned.h"

static int cmd_cat(int argc, char *argv[]);
static int cmd_commands(int argc, char *argv[]);
static int cmd_describe(int argc, char *argv[]);
static int cmd_help(int argc, char *argv[]);
static int cmd_shard(int argc, char *argv[]);
static int cmd_sort(int argc, char *argv[]);
static int listed(void);

/* Sorted by name.  A NULL fn means: exec pp-NAME. */
static const struct command {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *about;
} commands[] = {
	{ "cat", cmd_cat, "concatenate frames, converting CSV <-> binary" },
	{ "commands", cmd_commands, "list the commands" },
	{ "describe", cmd_describe, "summarise a frame per column (and symbol)" },
	{ "eval", NULL, "score predictions, backtests, drift" },
	{ "features", NULL, "technical indicators and targets per symbol" },
	{ "fetch", NULL, "daily OHLCV from files, HTTP providers or synth" },
	{ "help", cmd_help, "show the manual page of a command or topic" },
	{ "predict", NULL, "apply a model to a frame" },
	{ "registry", NULL, "experiment and model registry" },
	{ "serve", NULL, "serve a model over HTTP" },
	{ "shard", cmd_shard, "keep the rows of shard I of N, by symbol" },
	{ "sort", cmd_sort, "order a frame by date and symbol, in bounded "
	    "memory" },
	{ "train", NULL, "fit a model with chronological validation" },
};

static void
print_usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: pp COMMAND [ARG...]\n"
	    "       pp cat [-B] [--compress] [-d C] [--set-meta KEY=VALUE]... "
	    "[--strip-meta]\n"
	    "              [--select COLS] [--head N] [--tail N] "
	    "[--precision P] [-o FILE] [FILE...]\n"
	    "       pp cat --meta | --get-meta KEY [FILE]\n"
	    "       pp describe [--by COL] [--precision P] [-o FILE] [FILE]\n"
	    "       pp shard [-B] [--compress] [-d C] [-o FILE] I/N [FILE]\n"
	    "       pp sort [--by date,symbol|symbol,date] "
	    "[--buffer-size SIZE] [-B]\n"
	    "              [--compress] [-d C] [-o FILE] [FILE]\n"
	    "       pp help [TOPIC]\n"
	    "       pp --help | --version\n\ncommands:\n");
	for (i = 0; i < PP_ARRAY_SIZE(commands); i++)
		fprintf(fp, "  %-10s  %s\n", commands[i].name,
		    commands[i].about);
	fprintf(fp, "\n`pp help COMMAND` shows its manual; `pp COMMAND "
	    "--help` its options.\n");
}

static const struct command *
find_command(const char *name)
{
	size_t lo = 0, hi = PP_ARRAY_SIZE(commands);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, commands[mid].name);

		if (c == 0)
			return &commands[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Directory of this executable, for finding pp-NAME beside it. */
static void
self_dir(struct pp_buf *dir)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *slash;

	pp_buf_reset(dir);
	if (n <= 0)
		return;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (slash == NULL)
		return;
	pp_buf_add(dir, path, (size_t)(slash - path));
}

/* 1 if pp-NAME is beside pp or on PATH, as run_external finds it. */
static int
installed(const char *name)
{
	struct pp_buf path = PP_BUF_INIT;
	const char *env = getenv("PATH"), *s, *e;
	int found = 0;

	self_dir(&path);
	if (path.len > 0) {
		pp_buf_addf(&path, "/pp-%s", name);
		found = access(path.data, X_OK) == 0;
	}
	for (s = env; !found && s != NULL && *s != '\0'; s = *e ? e + 1 : e) {
		e = strchr(s, ':');
		if (e == NULL)
			e = s + strlen(s);
		pp_buf_reset(&path);
		pp_buf_addf(&path, "%.*s/pp-%s", (int)(e - s), s, name);
		found = e > s && access(path.data, X_OK) == 0;
	}
	pp_buf_release(&path);
	return found;
}

/* 1 if `man -w SECTION PAGE` finds the page (quietly). */
static int
man_has(const char *section, const char *page)
{
	pid_t pid = fork();
	int st, fd;

	if (pid == -1)
		return 1;	/* let man itself say what is wrong */
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd != -1) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execlp("man", "man", "-w", section, page, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int
run_external(const char *name, int argc, char *argv[])
{
	struct pp_buf prog = PP_BUF_INIT, path = PP_BUF_INIT;
	char **args = pp_xcalloc((size_t)argc + 1, sizeof(*args));
	int i;

	(void)argc;
	pp_buf_addf(&prog, "pp-%s", name);
	for (i = 1; i < argc; i++)
		args[i] = argv[i];
	args[0] = prog.data;
	self_dir(&path);
	if (path.len > 0) {
		pp_buf_addf(&path, "/%s", prog.data);
		if (access(path.data, X_OK) == 0)
			execv(path.data, args);
	}
	execvp(prog.data, args);
	fprintf(stderr, "%s: %s: %s\n", pp_progname, prog.data,
	    errno == ENOENT ? "not installed" : strerror(errno));
	free(args);
	pp_buf_release(&prog);
	pp_buf_release(&path);
	return PP_EXIT_DATA;
}

int
main(int argc, char *argv[])
{
	const struct command *c;

	pp_progname = "pp";
	if (argc < 2) {
		print_usage(stderr);
		return PP_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		print_usage(stdout);
		return listed();
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("pp %s\n", PP_VERSION);
		return listed();
	}
	if (strcmp(argv[1], "--list-options") == 0) {
		printf("-h\n--help\n--version\n");	/* for completion tests */
		return listed();
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "pp: unknown option %s\n", argv[1]);
		return PP_EXIT_USAGE;
	}
	c = find_command(argv[1]);
	if (c == NULL) {
		fprintf(stderr, "pp: '%s' is not a pp command (see 'pp "
		    "commands')\n", argv[1]);
		return PP_EXIT_USAGE;
	}
	if (c->fn != NULL)
		return c->fn(argc - 1, argv + 1);
	return run_external(c->name, argc - 1, argv + 1);
}

/* The exit status after --help, --version or a listing. */
static int
listed(void)
{
	struct pp_err err = PP_ERR_INIT;

	if (pp_cli_flush_stdout(&err) == 0)
		return PP_EXIT_OK;
	pp_cli_report(&err);
	return PP_EXIT_DATA;
}

static int
cmd_commands(int argc, char *argv[])
{
	size_t i;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "pp: commands: takes no arguments\n");
		return PP_EXIT_USAGE;
	}
	for (i = 0; i < PP_ARRAY_SIZE(commands); i++)
		printf("%s%s\n", commands[i].name, commands[i].fn == NULL &&
		    !installed(commands[i].name) ? " (not installed)" : "");
	return listed();
}

/*
 * pp help [TOPIC]: man pp, man pp-TOPIC (a command), or a section 5 page
 * for a format (frame, model).  In a build tree the page beside the
 * binaries (../../man) is shown, so help works before `make install`.
 */
static int
cmd_help(int argc, char *argv[])
{
	static const char *const formats[] = { "frame", "model" };
	struct pp_buf page = PP_BUF_INIT, local = PP_BUF_INIT;
	const char *topic = argc > 1 ? argv[1] : NULL;
	const char *section = "1";
	size_t i;

	if (argc > 2) {
		fprintf(stderr, "pp: help: takes at most one topic\n");
		return PP_EXIT_USAGE;
	}
	if (topic == NULL) {
		pp_buf_addstr(&page, "pp");
	} else {
		for (i = 0; i < PP_ARRAY_SIZE(formats); i++)
			if (strcmp(topic, formats[i]) == 0)
				section = "5";
		if (strcmp(section, "1") == 0 && find_command(topic) == NULL &&
		    strcmp(topic, "pp") != 0) {
			fprintf(stderr, "pp: help: no manual for '%s' (see 'pp "
			    "commands')\n", topic);
			return PP_EXIT_USAGE;
		}
		if (strcmp(topic, "pp") == 0 || (find_command(topic) &&
		    find_command(topic)->fn != NULL))
			pp_buf_addstr(&page, "pp");	/* built-ins live in pp(1) */
		else
			pp_buf_addf(&page, "pp-%s", topic);
	}
	fflush(stdout);
	self_dir(&local);
	pp_buf_addf(&local, "/../../man/%s.%s", page.data, section);
	if (local.len > 0 && access(local.data, R_OK) == 0)
		execlp("man", "man", "-l", local.data, (char *)NULL);
	else if (!man_has(section, page.data)) {
		fprintf(stderr, "pp: help: the manual page %s(%s) is not "
		    "installed\n", page.data, section);
		pp_buf_release(&page);
		pp_buf_release(&local);
		return PP_EXIT_DATA;
	} else
		execlp("man", "man", section, page.data, (char *)NULL);
	fprintf(stderr, "pp: help: cannot run man: %s\n", strerror(errno));
	pp_buf_release(&page);
	pp_buf_release(&local);
	return PP_EXIT_DATA;
}

/*
 * pp cat [FILE...]: every input in turn to one output, converted to the
 * asked format.  All inputs must have the same columns with the same types:
 * a frame has one schema.  The output carries the first input's metadata,
 * edited by --strip-meta and --set-meta; --meta and --get-meta print it
 * instead of the frame.
 */
/* --precision shapes CSV text; a binary frame keeps every bit. */
static void
no_precision_in_binary(const struct pp_cli *cli, long precision)
{
	if (precision && cli->c.binary)
		pp_cli_usage_error("--precision: for CSV output; a binary frame "
		    "keeps every bit");
}

struct cat_cmd {
	int print;		/* --meta */
	const char *get;	/* --get-meta KEY */
	int strip;		/* --strip-meta */
	struct pp_meta set;	/* --set-meta pairs */
	const char *select;	/* --select COLS */
	long head, tail;	/* --head, --tail; -1 if not given */
	long precision;		/* --precision; 0 if not given */
};

/* --set-meta KEY=VALUE, into the struct pp_meta at v. */
static int
set_meta(void *v, const char *arg, struct pp_err *err)
{
	char *k = pp_xstrdup(arg), *eq = strchr(k, '=');
	int rc = -1;

	if (eq == NULL)
		pp_err_set(err, PP_EXIT_USAGE, "--set-meta: expected "
		    "KEY=VALUE, got \"%s\"", arg);
	else {
		*eq = '\0';
		if ((rc = pp_meta_set(v, k, eq + 1, err)) == -1)
			pp_err_prefix(err, "--set-meta");
	}
	free(k);
	return rc;
}

/* The options; returns the index of the first operand. */
static int
cat_options(int argc, char *argv[], struct pp_cli *cli, struct cat_cmd *o)
{
	const struct pp_option opts[] = {
		PP_OPT_FLAG(0, "meta", &o->print, "print the metadata, one "
		    "KEY=VALUE a pair"),
		PP_OPT_STRING(0, "get-meta", &o->get, "KEY", "print the value "
		    "of KEY as it is"),
		PP_OPT_CALLBACK(0, "set-meta", &o->set, set_meta, "KEY=VALUE",
		    "set KEY in the output's metadata (repeatable; binary "
		    "output)"),
		PP_OPT_FLAG(0, "strip-meta", &o->strip, "drop the input's "
		    "metadata"),
		PP_OPT_STRING(0, "select", &o->select, "COLS", "only these "
		    "columns, in this order"),
		PP_OPT_LONG(0, "head", &o->head, 0, LONG_MAX, "N", "the first "
		    "N rows"),
		/* the tail is held: a million rows is a lot to look at */
		PP_OPT_LONG(0, "tail", &o->tail, 0, 1000000, "N", "the last N "
		    "rows (after --head's)"),
		PP_OPT_LONG(0, "precision", &o->precision, 1, 17, "P", "CSV: "
		    "doubles to P significant digits (default: exact)"),
		PP_OPT_END
	};
	int i;

	pp_cli_init_options(cli, "pp", "cat [-B] [--compress] [-d C] "
	    "[--set-meta KEY=VALUE]... [--strip-meta]\n"
	    "    [--select COLS] [--head N] [--tail N] [--precision P] "
	    "[--threads N]\n"
	    "    [-o FILE] [FILE...]\n"
	    "cat --meta | --get-meta KEY [FILE]", opts,
	    PP_CLI_OUTPUT | PP_CLI_INPUT | PP_CLI_THREADS);
	i = pp_cli_parse(cli, argc, argv);
	if ((o->print || o->get) && (o->set.n > 0 || o->strip ||
	    cli->c.binary || o->select || o->head >= 0 || o->tail >= 0 ||
	    o->precision))
		pp_cli_usage_error("--meta and --get-meta print the metadata; "
		    "they convert nothing");
	pp_cli_excludes(cli, "meta", "get-meta");
	if ((o->print || o->get) && argc - i > 1)
		pp_cli_usage_error("--meta and --get-meta read one frame");
	if (o->set.n > 0 && !cli->c.binary)
		pp_cli_usage_error("--set-meta: CSV cannot carry metadata; "
		    "write a binary frame with -B");
	no_precision_in_binary(cli, o->precision);
	return i;
}

/* CSV to CSV with nothing selected, cut or rounded: rows the readers
 * give as text go out as they came (pp_reader_next_line), the rest as
 * cells.  The bytes are those cat_rows writes. */
static int
cat_lines(struct pp_reader **in, size_t nin, struct pp_writer *w,
    struct pp_err *err)
{
	const union pp_cell *row;
	const char *line;
	size_t i, len, ncols = pp_reader_schema(in[0])->ncols;
	int got = 0;

	for (i = 0; i < nin; i++) {
		while ((got = pp_reader_next_lines(in[i], &row, &line, &len,
		    err)) == 1)
			if ((line ? pp_writer_line(w, line, len, NULL, ncols,
			    err) :
			    pp_writer_row(w, row, err)) == -1)
				return -1;
		if (got == -1)
			return -1;
	}
	return 0;
}

/* Every row of every input through the view to w; stop reading once the
 * view is full (--head alone). */
static int
cat_rows(struct pp_reader **in, size_t nin, struct pp_view *v,
    struct pp_writer *w, struct pp_err *err)
{
	const union pp_cell *row, *out;
	size_t i;
	int got = 0;

	for (i = 0; i < nin && !pp_view_full(v); i++) {
		while (!pp_view_full(v) &&
		    (got = pp_reader_next(in[i], &row, err)) == 1)
			if (pp_view_put(v, row, &out) == 1 &&
			    pp_writer_row(w, out, err) == -1)
				return -1;
		if (!pp_view_full(v) && got == -1)
			return -1;
	}
	while (pp_view_take(v, &out) == 1)
		if (pp_writer_row(w, out, err) == -1)
			return -1;
	return 0;
}

/* --meta: every pair as KEY=VALUE, a value's inner newlines followed by a
 * tab (so each pair starts a line), its final newline not shown.
 * --get-meta: the one value as it is. */
static void
cat_print_meta(const struct pp_meta *m, const struct cat_cmd *o,
    struct pp_buf *b, struct pp_err *err)
{
	size_t i, j, n;

	if (o->get != NULL) {
		const char *v = pp_meta_get(m, o->get);

		if (v == NULL) {
			pp_err_set(err, PP_EXIT_DATA, "no metadata \"%s\"",
			    o->get);
			return;
		}
		pp_buf_addstr(b, v);
		return;
	}
	for (i = 0; i < m->n; i++) {
		const char *v = m->val[i];

		n = strlen(v);
		if (n > 0 && v[n - 1] == '\n')
			n--;
		pp_buf_addf(b, "%s=", m->key[i]);
		for (j = 0; j < n; j++) {
			pp_buf_addc(b, v[j]);
			if (v[j] == '\n')
				pp_buf_addc(b, '\t');
		}
		pp_buf_addc(b, '\n');
	}
}

/* Open every operand (stdin without one); they must share one schema.
 * *ref is the first whose types were read from values: an empty CSV
 * shard's columns are only names, which must match. */
static struct pp_reader **
cat_open(int argc, char *argv[], int first, const struct pp_read_opts *ro,
    size_t *nin, size_t *ref, struct pp_err *err)
{
	size_t n = argc > first ? (size_t)(argc - first) : 1, i;
	struct pp_reader **in = pp_xcalloc(n, sizeof(*in));
	const struct pp_schema *want;

	*nin = n;
	*ref = 0;
	for (i = 0; i < n; i++) {
		in[i] = pp_reader_open(argc > first ? argv[first + i] : NULL,
		    ro, err);
		if (in[i] == NULL)
			return in;
		if (!pp_reader_typed(in[*ref]) && pp_reader_typed(in[i]))
			*ref = i;
	}
	want = pp_reader_schema(in[*ref]);
	for (i = 0; i < n; i++) {
		const struct pp_schema *got = pp_reader_schema(in[i]);

		if (i != *ref && (pp_reader_typed(in[i]) ?
		    pp_schema_same(want, got, err) :
		    pp_schema_same_names(want, got, err)) == -1) {
			pp_err_prefix(err, "%s", pp_reader_name(in[i]));
			return in;
		}
	}
	return in;
}

/* --meta, --get-meta: the metadata as text to out. */
static int
cat_meta(const struct pp_reader *in, const struct pp_meta *meta,
    const struct cat_cmd *o, struct pp_out *out, struct pp_err *err)
{
	struct pp_buf text = PP_BUF_INIT;
	int rc = -1;

	cat_print_meta(meta, o, &text, err);
	if (err->code != 0)
		pp_err_prefix(err, "%s", pp_reader_name(in));
	else if (fwrite(text.data, 1, text.len, out->fp) != text.len)
		pp_err_errno(err, errno, "write error");
	else
		rc = pp_out_commit(out, err);
	pp_buf_release(&text);
	return rc;
}

/* The frame: the inputs through --select, --head and --tail to out. */
static int
cat_frame(struct pp_reader **in, size_t nin, size_t ref,
    const struct cat_cmd *o, const char *output, struct pp_write_opts *wo,
    struct pp_out *out, struct pp_err *err)
{
	struct pp_view view;
	struct pp_writer *w = NULL;
	size_t i;
	int rc = -1, lines = wo->format == PP_FMT_CSV && wo->precision == 0 &&
	    o->select == NULL && o->head < 0 && o->tail < 0;

	for (i = 0; i < nin && lines; i++)
		(void)pp_reader_want_lines(in[i], 0);
	memset(&view, 0, sizeof(view));
	if (pp_view_init(&view, pp_reader_schema(in[ref]), o->select, o->head,
	    o->tail, err) == -1)
		pp_err_prefix(err, "%s", pp_reader_name(in[ref]));
	else if ((w = pp_writer_new(out->fp, output ? output : "<stdout>",
	    &view.schema, wo, err)) != NULL &&
	    (lines ? cat_lines(in, nin, w, err) : cat_rows(in, nin, &view, w,
	    err)) == 0 &&
	    pp_writer_finish(w, err) == 0)
		rc = pp_out_commit(out, err);
	pp_writer_free(w);
	pp_view_release(&view);
	return rc;
}

static int
cmd_cat(int argc, char *argv[])
{
	struct cat_cmd o = { 0, NULL, 0, PP_META_INIT, NULL, -1, -1, 0 };
	struct pp_cli cli;
	struct pp_err err = PP_ERR_INIT;
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_write_opts wo = PP_WRITE_OPTS_INIT;
	struct pp_out out = PP_OUT_INIT;
	struct pp_meta meta = PP_META_INIT;
	struct pp_reader **in;
	size_t nin, ref, i;
	int rc = -1, first;

	first = cat_options(argc, argv, &cli, &o);
	ro.delim = cli.c.delim;
	pp_cli_write_opts(&cli, &wo);
	wo.thread = !cli.c.binary;	/* format CSV on other cores */
	wo.precision = (int)o.precision;
	in = cat_open(argc, argv, first, &ro, &nin, &ref, &err);
	if (err.code == 0) {
		if (!o.strip)
			pp_meta_copy(&meta, pp_reader_meta(in[ref]));
		for (i = 0; i < o.set.n; i++)
			(void)pp_meta_set(&meta, o.set.key[i], o.set.val[i],
			    &err);
		wo.meta = &meta;
		if (pp_out_open(&out, cli.c.output, &err) == 0)
			rc = o.print || o.get ? cat_meta(in[ref], &meta, &o,
			    &out, &err) : cat_frame(in, nin, ref, &o,
			    cli.c.output, &wo, &out, &err);
	}
	if (rc != 0)
		pp_cli_report(&err);
	pp_out_abort(&out);
	for (i = 0; i < nin; i++)
		pp_reader_free(in[i]);
	free(in);
	pp_meta_release(&meta);
	pp_meta_release(&o.set);
	pp_cli_release(&cli);
	return rc == 0 ? PP_EXIT_OK : pp_cli_exit_status(&err);
}

/*
 * sort and shard pass one frame through: the operand (or stdin) to the
 * output, with the input's columns and metadata, through run; check, when
 * there is one, refuses the input before a byte is written.
 */
struct frame_filter {
	int (*check)(struct pp_reader *in, void *arg, struct pp_err *err);
	int (*run)(struct pp_reader *in, struct pp_writer *w, void *arg,
	    struct pp_err *err);
	void *arg;
};

/* Run f from path to cli's output; returns the exit status and releases
 * cli. */
static int
filter_frame(struct pp_cli *cli, const char *path,
    const struct frame_filter *f)
{
	struct pp_err err = PP_ERR_INIT;
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_write_opts wo = PP_WRITE_OPTS_INIT;
	struct pp_out out = PP_OUT_INIT;
	struct pp_reader *in = NULL;
	struct pp_writer *w = NULL;
	int rc = -1;

	ro.delim = cli->c.delim;
	pp_cli_write_opts(cli, &wo);
	if ((in = pp_reader_open(path, &ro, &err)) != NULL &&
	    (f->check == NULL || f->check(in, f->arg, &err) == 0) &&
	    pp_out_open(&out, cli->c.output, &err) == 0) {
		wo.meta = pp_reader_meta(in);
		w = pp_writer_new(out.fp, cli->c.output ? cli->c.output :
		    "<stdout>", pp_reader_schema(in), &wo, &err);
		if (w != NULL && f->run(in, w, f->arg, &err) == 0 &&
		    pp_writer_finish(w, &err) == 0)
			rc = pp_out_commit(&out, &err);
	}
	if (rc != 0)
		pp_cli_report(&err);
	pp_writer_free(w);
	pp_out_abort(&out);
	pp_reader_free(in);
	pp_cli_release(cli);
	return rc == 0 ? PP_EXIT_OK : pp_cli_exit_status(&err);
}

/*
 * pp sort [FILE]: the frame in (date, symbol) or (symbol, date) order,
 * stable, in about --buffer-size bytes (lib/sort.h), with the input's
 * metadata.
 */

/* SIZE: a whole number of bytes, or of KiB, MiB, GiB with K, M, G; at
 * least 64K. */
static int
parse_size(const char *arg, size_t *out)
{
	char num[32];
	size_t n = strlen(arg), shift = 0;
	long v;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, arg, n + 1);
	switch (num[n - 1]) {
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	default: break;
	}
	if (shift > 0)
		num[n - 1] = '\0';
	if (pp_parse_long(num, 1, (long)(((size_t)1 << 40) >> shift), &v) == -1
	    || ((size_t)v << shift) < ((size_t)64 << 10))
		return -1;
	*out = (size_t)v << shift;
	return 0;
}

static int
set_by(void *v, const char *arg, struct pp_err *err)
{
	if (pp_sort_parse_by(arg, v) == 0)
		return 0;
	return pp_err_set(err, PP_EXIT_USAGE, "--by: expected date,symbol or "
	    "symbol,date, got \"%s\"", arg);
}

static int
set_buffer(void *v, const char *arg, struct pp_err *err)
{
	if (parse_size(arg, v) == 0)
		return 0;
	return pp_err_set(err, PP_EXIT_USAGE, "--buffer-size: expected bytes, "
	    "or a number with K, M or G, of at least 64K, got \"%s\"", arg);
}

/* The options; returns the index of the first operand. */
static int
sort_options(int argc, char *argv[], struct pp_cli *cli,
    struct pp_sort_opts *o)
{
	const struct pp_option opts[] = {
		PP_OPT_CALLBACK(0, "by", &o->by, set_by, "KEYS",
		    "date,symbol (the default) or symbol,date"),
		PP_OPT_CALLBACK(0, "buffer-size", &o->buffer, set_buffer,
		    "SIZE", "memory for rows before spilling to temporary "
		    "files: bytes, or with K, M or G; 64M"),
		PP_OPT_END
	};
	int i;

	pp_cli_init_options(cli, "pp", "sort [--by date,symbol|symbol,date] "
	    "[--buffer-size SIZE] [-B] [--compress] [-d C] [-o FILE] [FILE]",
	    opts, PP_CLI_OUTPUT | PP_CLI_INPUT);
	i = pp_cli_parse(cli, argc, argv);
	if (argc - i > 1)
		pp_cli_usage_error("one input at most, got %d", argc - i);
	return i;
}

static int
sort_run(struct pp_reader *in, struct pp_writer *w, void *o,
    struct pp_err *err)
{
	return pp_sort_run(in, w, o, err);
}

static int
cmd_sort(int argc, char *argv[])
{
	struct pp_sort_opts o = PP_SORT_OPTS_INIT;
	struct frame_filter f = { NULL, sort_run, &o };
	struct pp_cli cli;
	int i;

	i = sort_options(argc, argv, &cli, &o);
	return filter_frame(&cli, i < argc ? argv[i] : NULL, &f);
}

/*
 * pp shard I/N [FILE]: the rows whose symbol falls in shard I of N
 * (lib/shard.h: FNV-1a 64 of the symbol mod N), in their order, with the
 * input's columns and metadata, so `pp cat` of the N shards' outputs
 * followed by `pp sort` gives the unsharded bytes.
 */
static int
shard_check(struct pp_reader *in, void *s, struct pp_err *err)
{
	(void)s;
	if (pp_shard_column(pp_reader_schema(in), err) >= 0)
		return 0;
	return pp_err_prefix(err, "%s", pp_reader_name(in));
}

static int
shard_run(struct pp_reader *in, struct pp_writer *w, void *s,
    struct pp_err *err)
{
	return pp_shard_filter(in, w, s, NULL, err);
}

static int
cmd_shard(int argc, char *argv[])
{
	const struct pp_option opts[] = { PP_OPT_END };
	struct pp_shard s = PP_SHARD_ALL;
	struct frame_filter f = { shard_check, shard_run, &s };
	struct pp_cli cli;
	struct pp_err err = PP_ERR_INIT;
	int i;

	pp_cli_init_options(&cli, "pp", "shard [-B] [--compress] [-d C] "
	    "[-o FILE] I/N [FILE]", opts, PP_CLI_OUTPUT | PP_CLI_INPUT);
	cli.about = "I/N: shard I (0 to N-1) of N; a row's shard is FNV-1a 64 "
	    "of its symbol mod N.";
	i = pp_cli_parse(&cli, argc, argv);
	if (i >= argc)
		pp_cli_usage_error("shard needs I/N: the shard I of N to keep");
	if (pp_shard_parse(argv[i], &s, &err) == -1)
		pp_cli_usage_error("shard: %s", err.msg);
	if (argc - i > 2)
		pp_cli_usage_error("shard: one input at most, got %d",
		    argc - i - 1);
	return filter_frame(&cli, i + 1 < argc ? argv[i + 1] : NULL, &f);
}

/*
 * pp describe [FILE]: per column type, count, missing, mean, std, min,
 * quartiles and max (per value of --by COL), as a frame: what pandas'
 * describe() shows, from the command line.
 */
/* The options; returns the index of the first operand. */
static int
describe_options(int argc, char *argv[], struct pp_cli *cli, const char **by,
    long *precision)
{
	const struct pp_option opts[] = {
		PP_OPT_STRING(0, "by", by, "COL", "one summary per value of "
		    "the text column COL (symbol)"),
		PP_OPT_LONG(0, "precision", precision, 1, 17, "P", "CSV: "
		    "doubles to P significant digits (default: exact)"),
		PP_OPT_END
	};
	int i;

	pp_cli_init_options(cli, "pp", "describe [--by COL] [--precision P] "
	    "[-B] [-d C] [-o FILE] [FILE]", opts,
	    PP_CLI_OUTPUT | PP_CLI_INPUT);
	i = pp_cli_parse(cli, argc, argv);
	if (argc - i > 1)
		pp_cli_usage_error("describe: one frame at most");
	no_precision_in_binary(cli, *precision);
	return i;
}

static int
cmd_describe(int argc, char *argv[])
{
	struct pp_cli cli;
	struct pp_err err = PP_ERR_INIT;
	struct pp_read_opts ro = PP_READ_OPTS_INIT;
	struct pp_write_opts wo = PP_WRITE_OPTS_INIT;
	struct pp_schema schema = PP_SCHEMA_INIT;
	struct pp_out out = PP_OUT_INIT;
	struct pp_reader *in = NULL;
	struct pp_describe *d = NULL;
	struct pp_writer *w = NULL;
	const union pp_cell *row;
	const char *by = NULL;
	long precision = 0;
	int rc = PP_EXIT_DATA, got, first;

	first = describe_options(argc, argv, &cli, &by, &precision);
	ro.delim = cli.c.delim;
	pp_cli_write_opts(&cli, &wo);
	wo.precision = (int)precision;
	if ((in = pp_reader_open(first < argc ? argv[first] : NULL,
	    &ro, &err)) == NULL)
		goto out;
	if ((d = pp_describe_new(pp_reader_schema(in), by, &err)) == NULL) {
		pp_err_prefix(&err, "%s", pp_reader_name(in));
		goto out;
	}
	pp_describe_schema(d, &schema);
	if (pp_out_open(&out, cli.c.output, &err) == -1 ||
	    (w = pp_writer_new(out.fp, cli.c.output ? cli.c.output :
	    "<stdout>", &schema, &wo, &err)) == NULL)
		goto out;
	while ((got = pp_reader_next(in, &row, &err)) == 1)
		pp_describe_row(d, row);
	if (got == -1 || pp_describe_write(d, w, &err) == -1 ||
	    pp_writer_finish(w, &err) == -1 || pp_out_commit(&out, &err) == -1)
		goto out;
	rc = PP_EXIT_OK;
out:
	if (rc != PP_EXIT_OK) {
		rc = pp_cli_exit_status(&err);
		pp_cli_report(&err);
	}
	pp_writer_free(w);
	pp_out_abort(&out);
	pp_describe_free(d);
	pp_reader_free(in);
	pp_schema_release(&schema);
	pp_cli_release(&cli);
	return rc;
}
