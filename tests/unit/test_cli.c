/*
 * test_cli.c - lib/cli: typed option rows, exit statuses, writer
 * options, and -o files.
 *
 * Plan:
 *   - every row type fills its variable; operands start where
 *     pp_cli_parse says; pp_cli_given knows which rows came
 *   - misuse exits 2 with one message (a forked child, stderr to a
 *     file): a value out of range, a bad date, an empty string row, a
 *     callback's own message, excludes, requires, a subcommand's row
 *   - pp_cli_exit_status and pp_cli_write_opts
 *   - a write error found at pp_out_commit names the file and leaves no
 *     temp file; pp_out_flush syncs without publishing
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "frame.h"
#include "banned.h"

struct vals {
	int flag;
	const char *str;
	long n;
	double x;
	int64_t day;
	const char *cb;
};

static int
upper_only(void *v, const char *a, struct pp_err *err)
{
	if (a[0] < 'A' || a[0] > 'Z')
		return pp_err_set(err, PP_EXIT_USAGE, "--cb: \"%s\" is not "
		    "upper case", a);
	*(const char **)v = a;
	return 0;
}

/* Parse argv (NULL-terminated) with a table of one row of each type; the
 * check, if not NULL, runs after; returns the first operand's index. */
static int
parse(struct vals *v, struct pp_cli *cli, char **argv,
    void (*check)(struct pp_cli *))
{
	const struct pp_option opts[] = {
		PP_OPT_FLAG('f', "flag", &v->flag, "a flag"),
		PP_OPT_STRING('s', "str", &v->str, "S", "a string",
		    .empty = "name", .cmds = 1),
		PP_OPT_LONG(0, "n", &v->n, 1, 10, "N", "1 to 10", .cmds = 2),
		PP_OPT_DOUBLE(0, "x", &v->x, 0, 1, "X", "0 to 1"),
		PP_OPT_DATE(0, "day", &v->day, "DATE", "a date"),
		PP_OPT_CALLBACK(0, "cb", &v->cb, upper_only, "U", "upper"),
		PP_OPT_END
	};
	int argc = 0, i;

	while (argv[argc] != NULL)
		argc++;
	optind = 0;	/* glibc: start a new scan */
	pp_cli_init_options(cli, "test", "[options]", opts, PP_CLI_OUTPUT);
	i = pp_cli_parse(cli, argc, argv);
	if (check)
		check(cli);
	return i;
}

static void
test_fill(void **state)
{
	char *argv[] = { "test", "-f", "--str", "abc", "op1", "--n=7",
	    "--x", "0.25", "--day", "1970-01-11", "--cb", "Up", "-B", "op2",
	    NULL };
	struct vals v = { 0 };
	struct pp_cli cli;
	struct pp_write_opts wo = PP_WRITE_OPTS_INIT;
	int i;

	(void)state;
	i = parse(&v, &cli, argv, NULL);
	assert_int_equal(v.flag, 1);
	assert_string_equal(v.str, "abc");
	assert_int_equal(v.n, 7);
	assert_true(v.x == 0.25);
	assert_int_equal(v.day, 10);
	assert_string_equal(v.cb, "Up");
	/* getopt moved the operands to the end, in order. */
	assert_int_equal(i, 12);
	assert_string_equal(argv[i], "op1");
	assert_string_equal(argv[i + 1], "op2");
	assert_true(pp_cli_given(&cli, "n"));
	pp_cli_write_opts(&cli, &wo);
	assert_int_equal(wo.format, PP_FMT_BIN);
	assert_int_equal(wo.compress, 0);
	assert_int_equal(wo.delim, ',');
	pp_cli_release(&cli);
}

static void
test_not_given(void **state)
{
	char *argv[] = { "test", "--x", "1", NULL };
	struct vals v = { 0 };
	struct pp_cli cli;

	(void)state;
	assert_int_equal(parse(&v, &cli, argv, NULL), 3);
	assert_false(pp_cli_given(&cli, "flag"));
	assert_false(pp_cli_given(&cli, "str"));
	assert_true(pp_cli_given(&cli, "x"));
	pp_cli_release(&cli);
}

static void
check_excl(struct pp_cli *cli)
{
	pp_cli_excludes(cli, "str", "n");
}

static void
check_req(struct pp_cli *cli)
{
	pp_cli_requires(cli, "x", "day");
}

static void
check_cmd(struct pp_cli *cli)
{
	pp_cli_check_cmd(cli, 2, "two");
}

/* Run parse in a child; it must exit 2 having printed want alone. */
static void
misuse(char **argv, void (*check)(struct pp_cli *), const char *want)
{
	char path[] = "/tmp/test_cli.XXXXXX", got[256];
	int fd = mkstemp(path), status;
	pid_t pid;
	ssize_t n;

	assert_true(fd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct vals v = { 0 };
		struct pp_cli cli;

		dup2(fd, STDERR_FILENO);
		parse(&v, &cli, argv, check);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), PP_EXIT_USAGE);
	n = pread(fd, got, sizeof(got) - 1, 0);
	assert_true(n >= 0);
	got[n] = '\0';
	assert_string_equal(got, want);
	close(fd);
	unlink(path);
}

static void
test_misuse(void **state)
{
	char *range[] = { "test", "--n", "11", NULL };
	char *nan[] = { "test", "--x", "nan", NULL };
	char *date[] = { "test", "--day", "2020-02-30", NULL };
	char *empty[] = { "test", "-s", "", NULL };
	char *cb[] = { "test", "--cb", "low", NULL };
	char *both[] = { "test", "-s", "a", "--n", "2", NULL };
	char *alone[] = { "test", "--x", "0", NULL };
	char *cmd[] = { "test", "-s", "a", NULL };

	(void)state;
	misuse(range, NULL, "test: --n: bad value \"11\": want a whole number "
	    "from 1 to 10\n");
	misuse(nan, NULL, "test: --x: bad value \"nan\": want a number from 0 "
	    "to 1\n");
	misuse(date, NULL, "test: --day: bad value \"2020-02-30\": want a "
	    "date YYYY-MM-DD\n");
	misuse(empty, NULL, "test: --str: empty name\n");
	misuse(cb, NULL, "test: --cb: \"low\" is not upper case\n");
	misuse(both, check_excl, "test: --str and --n exclude each other\n");
	misuse(alone, check_req, "test: --x needs --day\n");
	misuse(cmd, check_cmd, "test: --str: not an option of two\n");
}

static void
test_exit_status(void **state)
{
	struct pp_err usage = PP_ERR_INIT, data = PP_ERR_INIT;

	(void)state;
	pp_err_set(&usage, PP_EXIT_USAGE, "bad flag");
	pp_err_set(&data, PP_EXIT_DATA, "bad row");
	assert_int_equal(pp_cli_exit_status(&usage), PP_EXIT_USAGE);
	assert_int_equal(pp_cli_exit_status(&data), PP_EXIT_DATA);
}

/* a write error found at commit loses the file name: ": write error". */
static void
test_commit_error_names_the_file(void **state)
{
	struct pp_out out = PP_OUT_INIT;
	struct pp_err err = PP_ERR_INIT;
	struct rlimit old, lim;
	char path[] = "/tmp/pp-commit-XXXXXX", file[64], want[128];
	char block[2000];

	(void)state;
	assert_non_null(mkdtemp(path));
	snprintf(file, sizeof(file), "%s/out.csv", path);
	assert_int_equal(pp_out_open(&out, file, &err), 0);
	memset(block, 'x', sizeof(block));
	assert_int_equal(fwrite(block, 1, sizeof(block), out.fp),
	    sizeof(block));		/* still in stdio's buffer */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 1024;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(pp_out_commit(&out, &err), -1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	snprintf(want, sizeof(want), "%s: write error: File too large", file);
	assert_string_equal(err.msg, want);
	assert_int_equal(access(file, F_OK), -1);
	assert_int_equal(rmdir(path), 0);	/* no temp file left */
}

/* pp_out_flush syncs without publishing: the file appears only at
 * commit, and an abort after a flush leaves nothing. */
static void
test_flush_publishes_nothing(void **state)
{
	struct pp_out out = PP_OUT_INIT;
	struct pp_err err = PP_ERR_INIT;
	char path[] = "/tmp/pp-flush-XXXXXX", file[64];
	FILE *fp;
	char got[8] = "";

	(void)state;
	assert_non_null(mkdtemp(path));
	snprintf(file, sizeof(file), "%s/m.ppm", path);
	assert_int_equal(pp_out_open(&out, file, &err), 0);
	assert_int_equal(fputs("model", out.fp) >= 0, 1);
	assert_int_equal(pp_out_flush(&out, &err), 0);
	assert_int_equal(access(file, F_OK), -1);
	assert_int_equal(pp_out_commit(&out, &err), 0);
	fp = fopen(file, "r");
	assert_non_null(fp);
	assert_non_null(fgets(got, sizeof(got), fp));
	fclose(fp);
	assert_string_equal(got, "model");
	assert_int_equal(unlink(file), 0);

	assert_int_equal(pp_out_open(&out, file, &err), 0);
	assert_int_equal(fputs("model", out.fp) >= 0, 1);
	assert_int_equal(pp_out_flush(&out, &err), 0);
	pp_out_abort(&out);
	assert_int_equal(access(file, F_OK), -1);
	assert_int_equal(rmdir(path), 0);	/* no temp file left */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_not_given),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_commit_error_names_the_file),
		cmocka_unit_test(test_flush_publishes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
