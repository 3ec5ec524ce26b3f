/*
 * expr.c - tokenizer, parser, checker and compiler of feature definitions,
 * and the two small interpreters that run a compiled plan (expr.h).
 */
#include "expr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "date.h"
#include "indicators.h"
#include "num.h"
#include "util.h"
#include "banned.h"

/* ---- tokens ---------------------------------------------------------- */

enum tok {
	T_END, T_NUM, T_IDENT, T_QNAME, T_LP, T_RP, T_COMMA, T_DOT,
	T_PLUS, T_MINUS, T_STAR, T_SLASH,
	T_LT, T_LE, T_GT, T_GE, T_EQ, T_NE, T_ASSIGN, T_BAD
};

struct token {
	enum tok t;
	size_t pos;		/* offset in the definition's line */
	size_t len;		/* bytes of source text */
	double num;		/* T_NUM */
};

/* ---- functions -------------------------------------------------------- */

/* What a compiled instruction does.  Phase one and phase two share the
 * elementwise operations; OP_IND runs in phase one only, OP_LOAD in phase
 * two only. */
enum op {
	OP_CONST, OP_LDF, OP_LDN, OP_LDT,
	OP_NEG, OP_ADD, OP_SUB, OP_MUL, OP_DIV,
	OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE,
	OP_ABS, OP_LOG, OP_EXP, OP_SQRT, OP_SIGN,
	OP_NOT, OP_ISNAN,
	OP_DOW, OP_DOM, OP_MONTH, OP_DOY, OP_WEEK, /* of days: a / k */
	OP_AND, OP_OR, OP_MIN, OP_MAX, OP_NANTO,
	OP_IF,			/* a ? b : c */
	OP_CLIP,		/* compiled as OP_MAX then OP_MIN */
	OP_IND,			/* an indicator's step */
	OP_LOAD,		/* phase two: register a, b rows ahead */
	/* Across the rows of one date (pp_plan_cross): */
	OP_CS_RANK, OP_CS_ZSCORE, OP_CS_DEMEAN, OP_CS_QUANTILE, /* k: q */
	OP_REF			/* register a of symbol sym's row */
};

/* F_CS and F_REF read every symbol's row of a date: cross-sectional. */
enum fkind { F_ELEM, F_CAL, F_LEAD, F_IND, F_CS, F_REF };

/* A function an expression may call: ours, or a row of indicators.h. */
struct fn {
	const char *name;
	enum fkind kind;
	enum op op;			/* F_ELEM */
	const struct pp_ind_def *ind;	/* F_IND */
	const char *signature;
	const char *formula;
	int amin, amax;			/* F_ELEM, F_CAL: arguments */
};

#define VARIADIC 64		/* most arguments of least and greatest */

/* Sorted by name: pp_expr_list merges it with the indicators. */
static const struct fn own_fns[] = {
	{ "abs", F_ELEM, OP_ABS, NULL, "abs(x)", "|x|", 1, 1 },
	{ "and", F_ELEM, OP_AND, NULL, "and(a, b)",
	  "a and b: 1 if both are nonzero, else 0; NaN if either is", 2, 2 },
	{ "clip", F_ELEM, OP_CLIP, NULL, "clip(x, lo, hi)",
	  "least(greatest(x, lo), hi)", 3, 3 },
	{ "cs_demean", F_CS, OP_CS_DEMEAN, NULL, "cs_demean(x)",
	  "x - mean(x) over the symbols of the date", 1, 1 },
	{ "cs_quantile", F_CS, OP_CS_QUANTILE, NULL, "cs_quantile(x, q)",
	  "bucket 1..q of x among the symbols of the date: "
	  "max(1, ceil(q (rank - 1) / (count - 1))), average ranks", 2, 2 },
	{ "cs_rank", F_CS, OP_CS_RANK, NULL, "cs_rank(x)",
	  "rank of x among the symbols of the date / their count, average "
	  "ties (pandas rank(pct=True))", 1, 1 },
	{ "cs_zscore", F_CS, OP_CS_ZSCORE, NULL, "cs_zscore(x)",
	  "(x - mean) / std over the symbols of the date, ddof 1", 1, 1 },
	{ "dom", F_CAL, OP_DOM, NULL, "dom()", "day of the month of date, 1..31",
	  0, 0 },
	{ "dow", F_CAL, OP_DOW, NULL, "dow()",
	  "day of the week of date, 0 = Monday .. 6 = Sunday", 0, 0 },
	{ "doy", F_CAL, OP_DOY, NULL, "doy()", "day of the year of date, 1..366",
	  0, 0 },
	{ "exp", F_ELEM, OP_EXP, NULL, "exp(x)", "e to the power x", 1, 1 },
	{ "greatest", F_ELEM, OP_MAX, NULL, "greatest(a, b, ...)",
	  "the largest; NaN if any is", 2, VARIADIC },
	{ "if", F_ELEM, OP_IF, NULL, "if(cond, a, b)",
	  "a where cond is nonzero, b where it is 0; NaN where it is NaN", 3, 3 },
	{ "isnan", F_ELEM, OP_ISNAN, NULL, "isnan(x)", "1 if x is missing, else 0",
	  1, 1 },
	{ "lead", F_LEAD, OP_LOAD, NULL, "lead(x, k=1)",
	  "x[t+k], the value k rows ahead; targets only", 1, 2 },
	{ "least", F_ELEM, OP_MIN, NULL, "least(a, b, ...)",
	  "the smallest; NaN if any is", 2, VARIADIC },
	{ "log", F_ELEM, OP_LOG, NULL, "log(x)",
	  "natural logarithm; NaN for x < 0, -inf for 0", 1, 1 },
	{ "month", F_CAL, OP_MONTH, NULL, "month()", "month of date, 1..12", 0,
	  0 },
	{ "nan_to", F_ELEM, OP_NANTO, NULL, "nan_to(x, v)",
	  "x, or v where x is missing", 2, 2 },
	{ "not", F_ELEM, OP_NOT, NULL, "not(x)", "not x: 1 if x is 0, else 0; NaN if x is",
	  1, 1 },
	{ "or", F_ELEM, OP_OR, NULL, "or(a, b)",
	  "a or b: 1 if either is nonzero, else 0; NaN if either is", 2, 2 },
	{ "ref", F_REF, OP_REF, NULL, "ref(SYMBOL, x)",
	  "x on SYMBOL's row of the same date; NaN when it has none", 2, 2 },
	{ "sign", F_ELEM, OP_SIGN, NULL, "sign(x)", "1, 0 or -1 as x is > 0, 0 or < 0",
	  1, 1 },
	{ "sqrt", F_ELEM, OP_SQRT, NULL, "sqrt(x)", "square root; NaN for x < 0",
	  1, 1 },
	{ "week", F_CAL, OP_WEEK, NULL, "week()", "ISO 8601 week of date, 1..53",
	  0, 0 },
};

/* Look name up: ours first, then the indicator table.  The returned
 * struct lives in *tmp for indicators. */
static const struct fn *
find_fn(const char *name, struct fn *tmp)
{
	const struct pp_ind_def *d;
	size_t i;

	for (i = 0; i < PP_ARRAY_SIZE(own_fns); i++)
		if (strcmp(own_fns[i].name, name) == 0)
			return &own_fns[i];
	if ((d = pp_ind_find(name)) == NULL)
		return NULL;
	memset(tmp, 0, sizeof(*tmp));
	tmp->name = d->name;
	tmp->kind = F_IND;
	tmp->op = OP_IND;
	tmp->ind = d;
	tmp->signature = d->signature;
	tmp->formula = d->formula;
	return tmp;
}

/* ---- syntax tree ----------------------------------------------------- */

enum nkind {
	N_NUM,			/* number literal */
	N_NAME,			/* column or earlier definition */
	N_NEG,			/* unary minus */
	N_BIN,			/* binary operator (op is the token) */
	N_CALL,			/* function call */
	N_PART			/* call.part: one output of a multi-output call */
};

struct def;

struct node {
	enum nkind kind;
	enum tok op;		/* N_BIN */
	size_t pos, len;	/* token to put the caret under */
	double num;		/* N_NUM */
	char *name;		/* N_NAME, N_CALL, N_PART: owned */
	struct node **args;	/* N_CALL operands, N_NEG/N_BIN/N_PART kids */
	size_t nargs;
	struct node *next_alloc; /* every node of a definition, for freeing */

	/* Filled by the checker (resolve). */
	long col;		/* N_NAME: input column, or -1 */
	const struct def *ref;	/* N_NAME: earlier definition, or NULL */
	int part;		/* N_NAME of ref, N_PART: output index; -1 all */
	const struct fn *fn;	/* N_CALL: &fnv */
	struct fn fnv;
	long *cols;		/* N_CALL: columns the function reads itself */
	double *params;		/* N_CALL: constant parameters */
	size_t nout;		/* outputs of this value: 1 but for macd & co */
	const struct node *lead; /* a lead() call in this subtree, or NULL */
	size_t height;		/* nodes on the longest path down: in the
				   tree (parser), then also through the
				   definitions it names (resolve) */
};

struct def {
	int is_target;
	char *line;		/* the text shown under an error: owned */
	char *src;		/* "-f", "--target" or a file name: owned */
	long lineno;		/* ordinal or line number */
	char *name;		/* NAME: owned */
	size_t name_pos;
	struct node *root;
	struct node *nodes;	/* allocation list */
	long warmup;		/* node_warmup(root), set by pp_plan_compile */
};

struct pp_spec {
	struct def *defs;
	size_t n, cap;
};

/* Build the message "SRC:LINE:COL: what" plus the line and a caret
 * under line[pos..pos+len), windowed so a long line stays readable. */
static int
def_verr(struct pp_err *err, const char *src, long lineno, const char *line,
    size_t pos, size_t len, const char *fmt, va_list ap)
{
	struct pp_buf b = PP_BUF_INIT;
	size_t n = strlen(line), start = 0, end, i;

	if (pos > n)
		pos = n;
	if (len == 0 || pos + len > n)
		len = 1;
	pp_buf_addf(&b, "%s:%ld:%zu: ", src, lineno, pos + 1);
	pp_buf_vaddf(&b, fmt, ap);
	if (pos > 50)
		start = pos - 40;
	end = n - start > 100 ? start + 100 : n;
	pp_buf_addf(&b, "\n  %s%.*s%s\n  %s", start ? "..." : "",
	    (int)(end - start), line + start, end < n ? "..." : "",
	    start ? "   " : "");
	for (i = start; i < pos; i++)
		pp_buf_addc(&b, line[i] == '\t' ? '\t' : ' ');
	pp_buf_addc(&b, '^');
	for (i = 1; i < len && pos + i < end; i++)
		pp_buf_addc(&b, '~');
	pp_err_set(err, PP_EXIT_USAGE, "%s", b.data);
	pp_buf_release(&b);
	return -1;
}

static int
def_err(struct pp_err *err, const struct def *d, size_t pos, size_t len,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
def_err(struct pp_err *err, const struct def *d, size_t pos, size_t len,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	def_verr(err, d->src, d->lineno, d->line, pos, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- tokenizer ------------------------------------------------------- */

static int
is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_ident(int c)
{
	return is_ident_start(c) || is_digit(c);
}

struct lexer {
	const struct def *d;
	const char *s;		/* the line */
	size_t i;		/* next byte */
	size_t end;		/* where the definition ends ('#' or NUL) */
	struct token tok;	/* current token */
	int depth;		/* nesting, to refuse stack-eating input */
	struct pp_err *err;
};

static int
lex(struct lexer *lx)
{
	const char *s = lx->s;
	size_t i = lx->i, start;
	struct token *t = &lx->tok;

	while (i < lx->end && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
		i++;
	t->pos = start = i;
	t->len = 1;
	if (i >= lx->end) {
		t->t = T_END;
		t->len = 0;
		lx->i = i;
		return 0;
	}
	if (is_digit(s[i]) || (s[i] == '.' && i + 1 < lx->end &&
	    is_digit(s[i + 1]))) {
		while (i < lx->end && is_digit(s[i]))
			i++;
		if (i < lx->end && s[i] == '.')
			for (i++; i < lx->end && is_digit(s[i]); i++)
				;
		if (i < lx->end && (s[i] == 'e' || s[i] == 'E')) {
			size_t j = i + 1;

			if (j < lx->end && (s[j] == '+' || s[j] == '-'))
				j++;
			if (j < lx->end && is_digit(s[j])) {
				for (i = j; i < lx->end && is_digit(s[i]); i++)
					;
			}
		}
		while (i < lx->end && (is_ident(s[i]) || s[i] == '.'))
			i++;
		t->t = T_NUM;
		t->len = i - start;
		if (pp_parse_double(s + start, t->len, &t->num) == -1 ||
		    isnan(t->num))
			return def_err(lx->err, lx->d, start, t->len,
			    "bad number \"%.*s\"", (int)t->len, s + start);
		lx->i = i;
		return 0;
	}
	if (is_ident_start(s[i])) {
		while (i < lx->end && is_ident(s[i]))
			i++;
		t->t = T_IDENT;
		t->len = i - start;
		lx->i = i;
		return 0;
	}
	if (s[i] == '"') {
		/* A spec is one definition a line: a name holding a line
		 * break could not be printed back (--print-spec). */
		for (i++; i < lx->end && s[i] != '"'; i++)
			if (s[i] == '\n' || s[i] == '\r')
				return def_err(lx->err, lx->d, i, 1,
				    "line break in quoted name");
		if (i >= lx->end)
			return def_err(lx->err, lx->d, start, 1,
			    "unterminated quoted name");
		t->t = T_QNAME;
		t->len = i + 1 - start;
		if (t->len == 2)
			return def_err(lx->err, lx->d, start, 2,
			    "empty quoted name");
		lx->i = i + 1;
		return 0;
	}
	switch (s[i]) {
	case '(': t->t = T_LP; break;
	case ')': t->t = T_RP; break;
	case ',': t->t = T_COMMA; break;
	case '.': t->t = T_DOT; break;
	case '+': t->t = T_PLUS; break;
	case '-': t->t = T_MINUS; break;
	case '*': t->t = T_STAR; break;
	case '/': t->t = T_SLASH; break;
	case '<':
		t->t = T_LT;
		if (i + 1 < lx->end && s[i + 1] == '=')
			t->t = T_LE, t->len = 2;
		break;
	case '>':
		t->t = T_GT;
		if (i + 1 < lx->end && s[i + 1] == '=')
			t->t = T_GE, t->len = 2;
		break;
	case '=':
		t->t = T_ASSIGN;
		if (i + 1 < lx->end && s[i + 1] == '=')
			t->t = T_EQ, t->len = 2;
		break;
	case '!':
		if (i + 1 < lx->end && s[i + 1] == '=') {
			t->t = T_NE, t->len = 2;
			break;
		}
		/* FALLTHROUGH */
	default:
		return def_err(lx->err, lx->d, start, 1,
		    "unexpected character '%c'", s[i]);
	}
	lx->i = i + t->len;
	return 0;
}

/* ---- parser ---------------------------------------------------------- */

#define MAX_DEPTH 100
/*
 * Every pass over a definition recurses down its tree, and the compiler
 * also down the definitions it names, so the tree's height is bounded as
 * the parentheses are: a+a+...+a parses in a loop, but its left-deep tree
 * of 60,000 nodes overflowed the stack when resolved.  Thousands of
 * operators in one expression, or chained through definitions, are far
 * beyond any real feature.
 */
#define MAX_HEIGHT 2000

static struct node *
new_node(struct def *d, enum nkind kind, const struct token *t)
{
	struct node *n = pp_xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->pos = t->pos;
	n->len = t->len;
	n->height = 1;
	n->next_alloc = d->nodes;
	d->nodes = n;
	return n;
}

static void
add_arg(struct node *n, struct node *a)
{
	n->args = pp_xrealloc(n->args, (n->nargs + 1) * sizeof(*n->args));
	n->args[n->nargs++] = a;
	if (a->height + 1 > n->height)
		n->height = a->height + 1;
}

/* Refuse a tree grown past MAX_HEIGHT at the operator t. */
static int
too_high(struct lexer *lx, struct def *d, const struct token *t,
    const struct node *n)
{
	if (n->height <= MAX_HEIGHT)
		return 0;
	def_err(lx->err, d, t->pos, t->len, "expression nested too deeply: "
	    "more than %d operations in a chain", MAX_HEIGHT);
	return 1;
}

static const char *
tok_text(enum tok t)
{
	switch (t) {
	case T_END: return "end of expression";
	case T_NUM: return "number";
	case T_IDENT: return "name";
	case T_QNAME: return "quoted name";
	case T_LP: return "'('";
	case T_RP: return "')'";
	case T_COMMA: return "','";
	case T_DOT: return "'.'";
	case T_PLUS: return "'+'";
	case T_MINUS: return "'-'";
	case T_STAR: return "'*'";
	case T_SLASH: return "'/'";
	case T_LT: return "'<'";
	case T_LE: return "'<='";
	case T_GT: return "'>'";
	case T_GE: return "'>='";
	case T_EQ: return "'=='";
	case T_NE: return "'!='";
	case T_ASSIGN: return "'=' (comparison is '==')";
	default: return "token";
	}
}

static struct node *parse_expr(struct lexer *lx, struct def *d);

static struct node *
unexpected(struct lexer *lx, const char *want)
{
	def_err(lx->err, lx->d, lx->tok.pos, lx->tok.len,
	    "expected %s, found %s", want, tok_text(lx->tok.t));
	return NULL;
}

static struct node *
parse_primary(struct lexer *lx, struct def *d)
{
	struct token t = lx->tok;
	struct node *n, *a;

	switch (t.t) {
	case T_NUM:
		n = new_node(d, N_NUM, &t);
		n->num = t.num;
		return lex(lx) == -1 ? NULL : n;
	case T_QNAME:
		n = new_node(d, N_NAME, &t);
		n->name = pp_xstrndup(lx->s + t.pos + 1, t.len - 2);
		return lex(lx) == -1 ? NULL : n;
	case T_IDENT:
		n = new_node(d, N_NAME, &t);
		n->name = pp_xstrndup(lx->s + t.pos, t.len);
		if (lex(lx) == -1)
			return NULL;
		if (lx->tok.t != T_LP)
			return n;
		n->kind = N_CALL;
		if (lex(lx) == -1)
			return NULL;
		if (lx->tok.t == T_RP)
			return lex(lx) == -1 ? NULL : n;
		for (;;) {
			if ((a = parse_expr(lx, d)) == NULL)
				return NULL;
			add_arg(n, a);
			if (lx->tok.t == T_RP)
				break;
			if (lx->tok.t != T_COMMA)
				return unexpected(lx, "',' or ')'");
			if (lex(lx) == -1)
				return NULL;
		}
		return lex(lx) == -1 ? NULL : n;
	case T_LP:
		if (lex(lx) == -1 || (n = parse_expr(lx, d)) == NULL)
			return NULL;
		if (lx->tok.t != T_RP)
			return unexpected(lx, "')'");
		return lex(lx) == -1 ? NULL : n;
	default:
		return unexpected(lx, "a number, a name or '('");
	}
}

static struct node *
parse_postfix(struct lexer *lx, struct def *d)
{
	struct node *n = parse_primary(lx, d), *p;

	while (n != NULL && lx->tok.t == T_DOT) {
		if (lex(lx) == -1)
			return NULL;
		if (lx->tok.t != T_IDENT)
			return unexpected(lx, "an output name after '.'");
		p = new_node(d, N_PART, &lx->tok);
		p->name = pp_xstrndup(lx->s + lx->tok.pos, lx->tok.len);
		add_arg(p, n);
		n = p;
		if (lex(lx) == -1)
			return NULL;
	}
	return n;
}

static struct node *
parse_unary(struct lexer *lx, struct def *d)
{
	struct token t = lx->tok;
	struct node *n, *a;

	if (t.t != T_MINUS && t.t != T_PLUS)
		return parse_postfix(lx, d);
	if (++lx->depth > MAX_DEPTH) {
		def_err(lx->err, d, t.pos, 1, "expression nested too deeply");
		return NULL;
	}
	if (lex(lx) == -1 || (a = parse_unary(lx, d)) == NULL)
		return NULL;
	lx->depth--;
	if (t.t == T_PLUS)
		return a;
	n = new_node(d, N_NEG, &t);
	add_arg(n, a);
	return n;
}

static struct node *
binary(struct def *d, const struct token *t, struct node *l, struct node *r)
{
	struct node *n = new_node(d, N_BIN, t);

	n->op = t->t;
	add_arg(n, l);
	add_arg(n, r);
	return n;
}

static struct node *
parse_mul(struct lexer *lx, struct def *d)
{
	struct node *l = parse_unary(lx, d), *r;

	while (l != NULL && (lx->tok.t == T_STAR || lx->tok.t == T_SLASH)) {
		struct token t = lx->tok;

		if (lex(lx) == -1 || (r = parse_unary(lx, d)) == NULL)
			return NULL;
		l = binary(d, &t, l, r);
		if (too_high(lx, d, &t, l))
			return NULL;
	}
	return l;
}

static struct node *
parse_add(struct lexer *lx, struct def *d)
{
	struct node *l = parse_mul(lx, d), *r;

	while (l != NULL && (lx->tok.t == T_PLUS || lx->tok.t == T_MINUS)) {
		struct token t = lx->tok;

		if (lex(lx) == -1 || (r = parse_mul(lx, d)) == NULL)
			return NULL;
		l = binary(d, &t, l, r);
		if (too_high(lx, d, &t, l))
			return NULL;
	}
	return l;
}

static int
is_cmp(enum tok t)
{
	return t == T_LT || t == T_LE || t == T_GT || t == T_GE ||
	    t == T_EQ || t == T_NE;
}

static struct node *
parse_cmp(struct lexer *lx, struct def *d)
{
	struct node *l, *r;

	if (++lx->depth > MAX_DEPTH) {
		def_err(lx->err, d, lx->tok.pos, lx->tok.len,
		    "expression nested too deeply");
		return NULL;
	}
	l = parse_add(lx, d);
	while (l != NULL && is_cmp(lx->tok.t)) {
		struct token t = lx->tok;

		if (lex(lx) == -1 || (r = parse_add(lx, d)) == NULL)
			return NULL;
		l = binary(d, &t, l, r);
		if (too_high(lx, d, &t, l))
			return NULL;
	}
	lx->depth--;
	return l;
}

/* 1 if the current token is the word kw (and, or, not). */
static int
is_kw(const struct lexer *lx, const char *kw)
{
	return lx->tok.t == T_IDENT && lx->tok.len == strlen(kw) &&
	    strncmp(lx->s + lx->tok.pos, kw, lx->tok.len) == 0;
}

/* A call of own function name on the operands, for and, or, not. */
static struct node *
logic(struct def *d, const struct token *t, const char *name, struct node *l,
    struct node *r)
{
	struct node *n = new_node(d, N_CALL, t);

	n->name = pp_xstrndup(name, strlen(name));
	add_arg(n, l);
	if (r != NULL)
		add_arg(n, r);
	return n;
}

/* not binds tighter than and, and than or; all below the comparisons. */
static struct node *
parse_not(struct lexer *lx, struct def *d)
{
	struct token t = lx->tok;
	struct node *a;

	if (!is_kw(lx, "not"))
		return parse_cmp(lx, d);
	if (++lx->depth > MAX_DEPTH) {
		def_err(lx->err, d, t.pos, t.len, "expression nested too deeply");
		return NULL;
	}
	if (lex(lx) == -1 || (a = parse_not(lx, d)) == NULL)
		return NULL;
	lx->depth--;
	return logic(d, &t, "not", a, NULL);
}

static struct node *
parse_and(struct lexer *lx, struct def *d)
{
	struct node *l = parse_not(lx, d), *r;

	while (l != NULL && is_kw(lx, "and")) {
		struct token t = lx->tok;

		if (lex(lx) == -1 || (r = parse_not(lx, d)) == NULL)
			return NULL;
		l = logic(d, &t, "and", l, r);
	}
	return l;
}

static struct node *
parse_expr(struct lexer *lx, struct def *d)
{
	struct node *l = parse_and(lx, d), *r;

	while (l != NULL && is_kw(lx, "or")) {
		struct token t = lx->tok;

		if (lex(lx) == -1 || (r = parse_and(lx, d)) == NULL)
			return NULL;
		l = logic(d, &t, "or", l, r);
	}
	return l;
}

static void
def_release(struct def *d)
{
	struct node *n, *next;

	for (n = d->nodes; n != NULL; n = next) {
		next = n->next_alloc;
		free(n->name);
		free(n->args);
		free(n->params);
		free(n->cols);
		free(n);
	}
	free(d->line);
	free(d->src);
	free(d->name);
	memset(d, 0, sizeof(*d));
}

/*
 * Parse "[target] NAME = EXPR" from line[0..end) into d (line, src and
 * lineno already set).  allow_kw: the "target" keyword may start it.
 */
static int
parse_def(struct def *d, size_t end, int allow_kw, struct pp_err *err)
{
	struct lexer lx;

	memset(&lx, 0, sizeof(lx));
	lx.d = d;
	lx.s = d->line;
	lx.end = end;
	lx.err = err;
	if (lex(&lx) == -1)
		return -1;
	if (allow_kw && lx.tok.t == T_IDENT && lx.tok.len == 6 &&
	    memcmp(d->line + lx.tok.pos, "target", 6) == 0) {
		struct token kw = lx.tok;

		if (lex(&lx) == -1)
			return -1;
		if (lx.tok.t == T_IDENT)
			d->is_target = 1;
		else
			lx.tok = kw, lx.i = kw.pos + kw.len;
	}
	if (lx.tok.t != T_IDENT) {
		if (lx.tok.t == T_END)
			return def_err(err, d, lx.tok.pos, 1,
			    "expected NAME=EXPR, found nothing");
		return def_err(err, d, lx.tok.pos, lx.tok.len,
		    "expected a name for the %s (NAME=EXPR), found %s",
		    d->is_target ? "target" : "feature", tok_text(lx.tok.t));
	}
	d->name = pp_xstrndup(d->line + lx.tok.pos, lx.tok.len);
	d->name_pos = lx.tok.pos;
	if (lex(&lx) == -1)
		return -1;
	if (lx.tok.t != T_ASSIGN || lx.tok.len != 1)
		return def_err(err, d, lx.tok.pos, lx.tok.len,
		    "expected '=' after \"%s\", found %s", d->name,
		    tok_text(lx.tok.t));
	if (lex(&lx) == -1)
		return -1;
	if (lx.tok.t == T_END)
		return def_err(err, d, lx.tok.pos, 1,
		    "expected an expression after '='");
	if ((d->root = parse_expr(&lx, d)) == NULL)
		return -1;
	if (lx.tok.t != T_END)
		return def_err(err, d, lx.tok.pos, lx.tok.len,
		    "expected an operator or the end, found %s",
		    tok_text(lx.tok.t));
	return 0;
}

struct pp_spec *
pp_spec_new(void)
{
	return pp_xcalloc(1, sizeof(struct pp_spec));
}

void
pp_spec_free(struct pp_spec *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		def_release(&s->defs[i]);
	free(s->defs);
	free(s);
}

size_t
pp_spec_count(const struct pp_spec *s)
{
	return s->n;
}

/* Parse line[0..len) (a definition, maybe with a comment) and append it. */
static int
spec_add_line(struct pp_spec *s, int is_target, int allow_kw,
    const char *line, size_t len, const char *src, long lineno,
    struct pp_err *err)
{
	struct def d;
	size_t end = 0;
	int quoted = 0;

	memset(&d, 0, sizeof(d));
	d.is_target = is_target;
	d.line = pp_xstrndup(line, len);
	d.src = pp_xstrdup(src);
	d.lineno = lineno;
	/* A '#' outside a quoted name starts a comment (spec files only). */
	for (end = 0; end < len; end++) {
		if (d.line[end] == '"')
			quoted = !quoted;
		else if (allow_kw && d.line[end] == '#' && !quoted)
			break;
	}
	if (memchr(d.line, '\0', len) != NULL) {
		def_err(err, &d, strlen(d.line), 1, "NUL byte in definition");
		def_release(&d);
		return -1;
	}
	if (parse_def(&d, end, allow_kw, err) == -1) {
		def_release(&d);
		return -1;
	}
	pp_xgrow((void **)&s->defs, &s->cap, s->n + 1, sizeof(*s->defs));
	s->defs[s->n++] = d;
	return 0;
}

int
pp_spec_add(struct pp_spec *s, int is_target, const char *text,
    const char *src, long line, struct pp_err *err)
{
	return spec_add_line(s, is_target, 0, text, strlen(text), src, line,
	    err);
}

int
pp_spec_add_file(struct pp_spec *s, const char *text, size_t len,
    const char *src, struct pp_err *err)
{
	size_t i = 0, j, k;
	long lineno = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);

		j = nl ? (size_t)(nl - text) : len;
		lineno++;
		for (k = i; k < j && (text[k] == ' ' || text[k] == '\t' ||
		    text[k] == '\r'); k++)
			;
		if (k < j && text[k] != '#') {
			size_t e = j;

			if (e > i && text[e - 1] == '\r')
				e--;
			if (spec_add_line(s, 0, 1, text + i, e - i, src, lineno,
			    err) == -1)
				return -1;
		}
		i = j + 1;
	}
	return 0;
}

/* Name of implicit column i of d ("high,low,close") into buf. */
static void
implicit_name(const struct pp_ind_def *d, int i, char *buf, size_t n)
{
	const char *p = d->implicit, *e;

	for (; i > 0 && p != NULL; i--)
		if ((p = strchr(p, ',')) != NULL)
			p++;
	if (p == NULL) {
		buf[0] = '\0';
		return;
	}
	e = strchr(p, ',');
	snprintf(buf, n, "%.*s", (int)(e ? (size_t)(e - p) : strlen(p)), p);
}

/* The call a multi-output value comes from, through references. */
static const struct node *
base_call(const struct node *n)
{
	while (n->kind == N_NAME && n->ref != NULL && n->part < 0)
		n = n->ref->root;
	return n;
}

static const char *
out_part(const struct node *n, size_t i)
{
	return base_call(n)->fn->ind->outputs[i];
}

void
pp_expr_list(struct pp_buf *b)
{
	const struct pp_ind_def *all;
	size_t n, i = 0, j = 0;
	const size_t nown = PP_ARRAY_SIZE(own_fns);

	all = pp_ind_all(&n);
	pp_buf_addf(b, "%-24s %-18s %-10s %s\n", "FUNCTION", "OUTPUTS",
	    "WARM-UP", "DEFINITION");
	/* Both lists are sorted by name: merge them. */
	while (i < n || j < nown) {
		struct pp_buf o = PP_BUF_INIT, w = PP_BUF_INIT;
		const char *sig, *formula;

		if (j < nown && (i >= n || strcmp(own_fns[j].name,
		    all[i].name) < 0)) {
			const struct fn *f = &own_fns[j++];

			pp_buf_addstr(&o, f->name);
			pp_buf_addstr(&w, f->kind == F_LEAD ? "k (last)" : "0");
			sig = f->signature;
			formula = f->formula;
		} else {
			const struct pp_ind_def *d = &all[i++];
			int p;

			if (d->noutputs == 1)
				pp_buf_addstr(&o, d->name);
			for (p = 0; d->noutputs > 1 && p < d->noutputs; p++)
				pp_buf_addf(&o, "%s%s", p ? "," : "",
				    d->outputs[p]);
			pp_buf_addstr(&w, d->warmup_text);
			sig = d->signature;
			formula = d->formula;
		}
		pp_buf_addf(b, "%-24s %-18s %-10s %s\n", sig, o.data, w.data,
		    formula);
		pp_buf_release(&o);
		pp_buf_release(&w);
	}
}

/* ---- checking --------------------------------------------------------- */

/* Compiler state. */
struct cc {
	const struct pp_spec *spec;
	const struct pp_schema *in;
	struct def *d;		/* definition being checked */
	size_t di;		/* its index */
	struct pp_err *err;
	struct pp_plan *p;
	/* Output names so far, for clash checks. */
	char **names;
	size_t nnames, capnames;
	/* Per definition, the code made for it so far, so that one named n
	 * times is compiled once (d1 = d0 + d0, d2 = d1 + d1, ...: 40 lines
	 * took 2^40 steps): phase one's register + 1 (0: none yet), phase
	 * two's register + 1 and the look-ahead it was made for. */
	size_t *reg1, *reg2, *ahead2;
};

/* The output names a definition defines, NAME or NAME_part. */
static char *
out_name(const struct def *d, size_t i)
{
	struct pp_buf b = PP_BUF_INIT;

	pp_buf_addstr(&b, d->name);
	if (d->root->nout > 1)
		pp_buf_addf(&b, "_%s", out_part(d->root, i));
	return pp_buf_detach(&b, NULL);
}

/* A constant argument: a number, maybe negated. */
static int
const_value(const struct node *n, double *v)
{
	if (n->kind == N_NUM) {
		*v = n->num;
		return 0;
	}
	if (n->kind == N_NEG && const_value(n->args[0], v) == 0) {
		*v = -*v;
		return 0;
	}
	return -1;
}

static int resolve(struct cc *cc, struct node *n);

static int
want_one(struct cc *cc, const struct node *n)
{
	const struct node *c = base_call(n);
	struct pp_buf b = PP_BUF_INIT;
	size_t i;

	if (n->nout == 1)
		return 0;
	for (i = 0; i < c->nout; i++)
		pp_buf_addf(&b, "%s%s", i ? ", " : "", out_part(c, i));
	def_err(cc->err, cc->d, n->pos, n->len,
	    "%s gives %zu outputs (%s): pick one, as in %s(...).%s",
	    c->fn->name, c->nout, b.data, c->fn->name, out_part(c, 1));
	pp_buf_release(&b);
	return -1;
}

static int
resolve_name(struct cc *cc, struct node *n)
{
	const struct pp_spec *s = cc->spec;
	size_t i, j;

	n->col = pp_schema_find(cc->in, n->name);
	n->nout = 1;
	n->part = -1;
	if (n->col >= 0)
		return 0;
	for (i = cc->di; i-- > 0;) {
		const struct def *e = &s->defs[i];

		if (strcmp(e->name, n->name) == 0) {
			n->ref = e;
			n->nout = e->root->nout;
		} else if (e->root->nout > 1) {
			size_t len = strlen(e->name);

			for (j = 0; j < e->root->nout; j++)
				if (strncmp(n->name, e->name, len) == 0 &&
				    n->name[len] == '_' &&
				    strcmp(n->name + len + 1,
				    out_part(e->root, j)) == 0)
					break;
			if (j == e->root->nout)
				continue;
			n->ref = e;
			n->part = (int)j;
		} else
			continue;
		if (e->is_target && !cc->d->is_target)
			return def_err(cc->err, cc->d, n->pos, n->len,
			    "\"%s\" is a target, and a feature cannot use a "
			    "target: targets look ahead", n->name);
		n->lead = e->root->lead;
		return 0;
	}
	for (i = cc->di + 1; i < s->n; i++)
		if (strcmp(s->defs[i].name, n->name) == 0)
			return def_err(cc->err, cc->d, n->pos, n->len,
			    "\"%s\" is defined later (%s:%ld): a definition "
			    "can use only those before it", n->name,
			    s->defs[i].src, s->defs[i].lineno);
	return def_err(cc->err, cc->d, n->pos, n->len,
	    "unknown column \"%s\"", n->name);
}

/* The parameter argument i of a call of f stands for, if it takes a
 * name (vol's method), else NULL. */
static const struct pp_ind_param *
choice_param(const struct fn *f, size_t i)
{
	size_t nser;

	if (f->kind != F_IND)
		return NULL;
	nser = (size_t)f->ind->nseries;
	if (i < nser || i - nser >= (size_t)f->ind->nparams ||
	    f->ind->params[i - nser].choices == NULL)
		return NULL;
	return &f->ind->params[i - nser];
}

/*
 * A cross-sectional call: cs_*(x[, q]) or ref(SYMBOL, x).  Its value needs
 * every row of the date, so x may not look ahead (the cross-section is
 * made before any later row is known), and SYMBOL is a name taken as it
 * is written, never a column.
 */
static int
resolve_cross(struct cc *cc, struct node *n)
{
	const struct fn *f = n->fn;
	size_t xi = f->kind == F_REF ? 1 : 0;	/* the series argument */
	const struct node *a;
	double q;

	if (n->nargs < (size_t)f->amin || n->nargs > (size_t)f->amax)
		return def_err(cc->err, cc->d, n->pos, n->len,
		    "wrong number of arguments to %s: %zu given, expected %s",
		    f->name, n->nargs, f->signature);
	if (f->kind == F_REF && n->args[0]->kind != N_NAME)
		return def_err(cc->err, cc->d, n->args[0]->pos,
		    n->args[0]->len, "ref: the first argument is a symbol, "
		    "as in ref(SPY, close) or ref(\"BRK.B\", close)");
	if (resolve(cc, n->args[xi]) == -1 ||
	    want_one(cc, n->args[xi]) == -1)
		return -1;
	a = n->args[xi];
	if (a->lead != NULL)
		return def_err(cc->err, cc->d, a->lead->pos, a->lead->len,
		    "lead() inside %s(): the rows of a date are combined "
		    "before any later row is known; write lead(%s(...), k) "
		    "instead", f->name, f->name);
	if (f->op != OP_CS_QUANTILE)
		return 0;
	a = n->args[1];
	if (const_value(a, &q) == -1 || !(q >= 1 && q <= 1000) ||
	    q != floor(q))
		return def_err(cc->err, cc->d, a->pos, a->len,
		    "cs_quantile: q must be a whole number from 1 to 1000");
	n->params = pp_xmalloc(sizeof(double));
	n->params[0] = q;
	return 0;
}

static int
resolve_call(struct cc *cc, struct node *n)
{
	const struct fn *f;
	struct fn tmp;
	size_t i, nser;
	double given[PP_IND_MAXPARAMS];
	struct pp_err e = PP_ERR_INIT;

	if ((f = find_fn(n->name, &tmp)) == NULL)
		return def_err(cc->err, cc->d, n->pos, n->len,
		    "unknown function \"%s\" (pp-features --list shows them)",
		    n->name);
	n->fnv = *f;
	n->fn = f = &n->fnv;
	free(n->params);
	free(n->cols);
	n->params = NULL;
	n->cols = NULL;
	n->nout = 1;
	if (f->kind == F_CS || f->kind == F_REF)
		return resolve_cross(cc, n);
	/* A choice is a name, not a column: it is not resolved. */
	for (i = 0; i < n->nargs; i++)
		if (choice_param(f, i) == NULL &&
		    resolve(cc, n->args[i]) == -1)
			return -1;
	nser = f->kind == F_IND ? (size_t)f->ind->nseries
	    : f->kind == F_LEAD ? 1 : n->nargs;
	if (n->nargs < nser || ((f->kind == F_ELEM || f->kind == F_CAL) &&
	    (n->nargs < (size_t)f->amin || n->nargs > (size_t)f->amax)) ||
	    (f->kind == F_LEAD && n->nargs > 2) ||
	    (f->kind == F_IND && n->nargs > nser + (size_t)f->ind->nparams) ||
	    (f->kind == F_IND && n->nargs < nser + (size_t)f->ind->nparams_min))
		return def_err(cc->err, cc->d, n->pos, n->len,
		    "wrong number of arguments to %s: %zu given, expected %s",
		    f->name, n->nargs, f->signature);
	for (i = 0; i < nser; i++) {
		const struct node *a = n->args[i];

		if (want_one(cc, a) == -1)
			return -1;
		if (f->kind == F_IND && a->lead != NULL)
			return def_err(cc->err, cc->d, a->lead->pos,
			    a->lead->len, "lead() inside %s(): %s keeps state "
			    "from row to row and cannot take future values; "
			    "write lead(%s(...), k) instead", f->name,
			    f->name, f->name);
		if (a->lead != NULL && n->lead == NULL)
			n->lead = a->lead;
	}
	for (i = nser; i < n->nargs; i++) {
		const struct pp_ind_param *cp = choice_param(f, i);

		/* Anything but a known name fails pp_ind_params below, with
		 * the list of names. */
		if (cp != NULL) {
			given[i - nser] = n->args[i]->kind == N_NAME ?
			    pp_ind_choice(cp, n->args[i]->name) : -1;
			continue;
		}
		if (const_value(n->args[i], &given[i - nser]) == -1)
			return def_err(cc->err, cc->d, n->args[i]->pos,
			    n->args[i]->len, "argument %zu of %s must be a "
			    "constant number, as in %s", i + 1, f->name,
			    f->signature);
	}
	if (f->kind == F_LEAD) {
		double k = n->nargs == 2 ? given[0] : 1;

		if (!cc->d->is_target)
			return def_err(cc->err, cc->d, n->pos, n->len,
			    "lead() looks ahead, so only a target may use it "
			    "(--target, or a \"target\" line in a spec file): "
			    "a feature must use its own and earlier rows only");
		if (!(k >= 1 && k <= 10000) || k != floor(k)) {
			const struct node *a = n->args[1];

			return def_err(cc->err, cc->d, a->pos, a->len,
			    "lead: k must be a whole number from 1 to 10000");
		}
		n->params = pp_xmalloc(sizeof(double));
		n->params[0] = k;
		n->lead = n;
		return 0;
	}
	if (f->kind == F_ELEM)
		return 0;
	if (f->kind == F_CAL) {
		long col = pp_schema_find(cc->in, "date");

		if (col < 0)
			return def_err(cc->err, cc->d, n->pos, n->len,
			    "%s() reads column \"date\", which the input lacks",
			    f->name);
		if (cc->in->cols[col].type != PP_T_DATE &&
		    cc->in->cols[col].type != PP_T_DATETIME)
			return def_err(cc->err, cc->d, n->pos, n->len,
			    "%s() reads column \"date\", which holds no dates",
			    f->name);
		n->cols = pp_xcalloc(1, sizeof(long));
		n->cols[0] = col;
		return 0;
	}
	n->params = pp_xcalloc(PP_IND_MAXPARAMS, sizeof(double));
	if (pp_ind_params(f->ind, given, (int)(n->nargs - nser), n->params,
	    &e) == -1) {
		/* Point at the parameter the message names ("sma: n must
		 * be..."), else at the function. */
		const struct node *at = n;
		size_t fl = strlen(f->name), j;

		for (j = 0; j < (size_t)f->ind->nparams &&
		    nser + j < n->nargs; j++) {
			const char *pn = f->ind->params[j].name;
			size_t pl = strlen(pn);

			if (strncmp(e.msg, f->name, fl) == 0 &&
			    strncmp(e.msg + fl, ": ", 2) == 0 &&
			    strncmp(e.msg + fl + 2, pn, pl) == 0 &&
			    e.msg[fl + 2 + pl] == ' ')
				at = n->args[nser + j];
		}
		return def_err(cc->err, cc->d, at->pos, at->len, "%s", e.msg);
	}
	n->nout = (size_t)f->ind->noutputs;
	n->cols = pp_xcalloc((size_t)f->ind->nimplicit + 1, sizeof(long));
	for (i = 0; i < (size_t)f->ind->nimplicit; i++) {
		char col[64];

		implicit_name(f->ind, (int)i, col, sizeof(col));
		if ((n->cols[i] = pp_schema_find(cc->in, col)) < 0)
			return def_err(cc->err, cc->d, n->pos, n->len,
			    "%s reads column \"%s\", which the input lacks",
			    f->name, col);
	}
	return 0;
}

/* Check n and what is under it; annotate (nout, lead, col, ref, fn). */
static int
resolve_node(struct cc *cc, struct node *n)
{
	size_t i;

	n->nout = 1;
	n->col = -1;
	n->part = -1;
	n->ref = NULL;
	n->lead = NULL;
	switch (n->kind) {
	case N_NUM:
		return 0;
	case N_NAME:
		return resolve_name(cc, n);
	case N_CALL:
		return resolve_call(cc, n);
	case N_NEG:
	case N_BIN:
		for (i = 0; i < n->nargs; i++) {
			if (resolve(cc, n->args[i]) == -1 ||
			    want_one(cc, n->args[i]) == -1)
				return -1;
			if (n->lead == NULL)
				n->lead = n->args[i]->lead;
		}
		return 0;
	case N_PART: {
		struct node *a = n->args[0];
		const struct node *c;
		struct pp_buf b = PP_BUF_INIT;

		if (resolve(cc, a) == -1)
			return -1;
		c = base_call(a);
		if (a->nout == 1)
			return def_err(cc->err, cc->d, n->pos - 1, n->len + 1,
			    "'.%s' picks an output of a function with several, "
			    "but this value has one", n->name);
		for (i = 0; i < c->nout; i++)
			if (strcmp(out_part(c, i), n->name) == 0) {
				n->part = (int)i;
				return 0;
			}
		for (i = 0; i < c->nout; i++)
			pp_buf_addf(&b, "%s%s", i ? ", " : "", out_part(c, i));
		def_err(cc->err, cc->d, n->pos, n->len,
		    "%s has no output \"%s\" (it has %s)", c->fn->name,
		    n->name, b.data);
		pp_buf_release(&b);
		return -1;
	}
	}
	return 0;
}

/* resolve_node, then n's height through the definitions it names (theirs
 * are final: they come earlier), which the compiler recurses down. */
static int
resolve(struct cc *cc, struct node *n)
{
	size_t i;

	if (resolve_node(cc, n) == -1)
		return -1;
	n->height = n->ref != NULL ? n->ref->root->height + 1 : 1;
	for (i = 0; i < n->nargs; i++)
		if (n->args[i]->height + 1 > n->height)
			n->height = n->args[i]->height + 1;
	if (n == cc->d->root && n->height > MAX_HEIGHT)
		return def_err(cc->err, cc->d, cc->d->name_pos,
		    strlen(cc->d->name), "expression nested too deeply "
		    "through the definitions it uses: more than %d "
		    "operations in a chain", MAX_HEIGHT);
	return 0;
}

/* Check d's name (and its NAME_part names) against the input and the
 * definitions before it; record them. */
static int
check_names(struct cc *cc, const struct def *d)
{
	size_t i, j;

	for (i = 0; i < d->root->nout; i++) {
		char *nm = out_name(d, i);

		if (pp_schema_find(cc->in, nm) >= 0) {
			def_err(cc->err, d, d->name_pos, strlen(d->name),
			    "%s \"%s\" has the name of an input column",
			    d->is_target ? "target" : "feature", nm);
			free(nm);
			return -1;
		}
		for (j = 0; j < cc->nnames; j++)
			if (strcmp(cc->names[j], nm) == 0) {
				def_err(cc->err, d, d->name_pos,
				    strlen(d->name), "\"%s\" is defined twice",
				    nm);
				free(nm);
				return -1;
			}
		pp_xgrow((void **)&cc->names, &cc->capnames, cc->nnames + 1,
		    sizeof(*cc->names));
		cc->names[cc->nnames++] = nm;
	}
	return 0;
}

/* ---- compiling ---------------------------------------------------------- */

/* One instruction.  Phase one: dst = op(a, b) over registers, or a load of
 * column a, or an indicator step.  Phase two: the same elementwise ops, and
 * OP_LOAD: dst = register a of the row b rows ahead. */
struct insn {
	enum op op;
	enum pp_type type;	/* OP_LDN: the column's type */
	size_t dst, a, b;
	size_t c;		/* OP_IF's third operand */
	double k;		/* OP_CONST; calendar: units in a day */
	const struct pp_ind_def *ind; /* OP_IND */
	size_t in;		/* OP_IND: first input register in plan->ins */
	size_t nin;
	double params[PP_IND_MAXPARAMS]; /* OP_IND */
	size_t state;		/* OP_IND: byte offset of its state */
	const char *colname;	/* OP_LDT: for messages */
	size_t sym;		/* OP_REF: index in plan->syms */
	size_t stage;		/* phase one: cross-sections before it */
};

struct prog {
	struct insn *v;
	size_t n, cap;
};

/*
 * Stages.  A cross-sectional value (cs_*, ref) of a date needs phase one
 * of every row of that date up to its argument, and what uses it can run
 * only after it.  So each phase-one register has a stage: 0 for what a
 * row computes alone, and one more than its argument for a
 * cross-sectional value; an instruction's stage is its operands' largest.
 * p1 is ordered by stage (stably: within a stage, operands still come
 * first), seg[k] is where stage k starts, and the engine runs stage 0 on
 * arrival, then per stage k >= 1 the cross-sections of stage k over the
 * date's rows and p1[seg[k]..seg[k+1]) on each row.
 */
struct pp_plan {
	struct prog loads;	/* phase one, first: column loads */
	struct prog p1;		/* phase one: the rest, by stage */
	struct prog xs;		/* phase one: cross-sections */
	struct prog p2;		/* phase two: targets */
	size_t nstages;		/* 1 + the largest stage */
	size_t *seg;		/* nstages + 1 offsets into p1 */
	size_t *regstage;	/* compiling: each phase-one register's
				   stage */
	size_t capstage;
	char **syms;		/* ref() symbols, owned */
	size_t nsyms;
	size_t *ins;		/* indicator input registers */
	size_t nins, capins;
	size_t nregs1;		/* registers phase one writes */
	size_t nregs;		/* all registers, phase two's after nregs1 */
	size_t state_size;
	size_t lead;
	size_t nout, nfeat;
	char **names;		/* nout output names */
	size_t *out_reg;	/* nout registers */
	long *warmup;		/* nout warm-ups, in rows (see node_warmup) */
};

static int
same_insn(const struct pp_plan *p, const struct insn *x, const struct insn *y)
{
	size_t i;

	if (x->op != y->op || x->a != y->a || x->b != y->b || x->c != y->c ||
	    memcmp(&x->k, &y->k, sizeof(x->k)) != 0 || x->ind != y->ind ||
	    x->sym != y->sym)
		return 0;
	if (x->op != OP_IND)
		return 1;
	if (x->nin != y->nin || memcmp(x->params, y->params,
	    sizeof(x->params)) != 0)
		return 0;
	for (i = 0; i < x->nin; i++)
		if (p->ins[x->in + i] != p->ins[y->in + i])
			return 0;
	return 1;
}

/*
 * Append x to g unless an equal instruction is there already (common
 * subexpressions: lag(logret(close,1),2) and stddev(logret(close,1),20)
 * share one logret, state and all: the same inputs in the same order give
 * the same outputs).  nout registers are allocated for the result from
 * *nreg.  Returns the first result register.
 */
static size_t
max_stage(const struct pp_plan *p, size_t s, size_t reg)
{
	return p->regstage[reg] > s ? p->regstage[reg] : s;
}

/* The stage of phase-one instruction x (see struct pp_plan). */
static size_t
insn_stage(const struct pp_plan *p, const struct prog *g,
    const struct insn *x)
{
	size_t s = 0, i;

	if (g == &p->loads)
		return 0;
	switch (x->op) {
	case OP_CONST:
		return 0;
	case OP_IND:
		for (i = 0; i < x->nin; i++)
			s = max_stage(p, s, p->ins[x->in + i]);
		return s;
	case OP_CS_RANK: case OP_CS_ZSCORE: case OP_CS_DEMEAN:
	case OP_CS_QUANTILE: case OP_REF:
		return p->regstage[x->a] + 1;
	case OP_NEG: case OP_ABS: case OP_LOG: case OP_EXP: case OP_SQRT:
	case OP_SIGN: case OP_NOT: case OP_ISNAN: case OP_DOW: case OP_DOM:
	case OP_MONTH: case OP_DOY: case OP_WEEK:
		return p->regstage[x->a];
	case OP_IF:
		s = max_stage(p, 0, x->c);
		/* FALLTHROUGH */
	default:
		return max_stage(p, max_stage(p, s, x->a), x->b);
	}
}

static size_t
emit(struct pp_plan *p, struct prog *g, struct insn *x, size_t nout,
    size_t *nreg)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (same_insn(p, &g->v[i], x)) {
			p->nins -= x->nin;	/* drop its input list */
			return g->v[i].dst;
		}
	x->dst = *nreg;
	*nreg += nout;
	if (g != &p->p2) {
		x->stage = insn_stage(p, g, x);
		pp_xgrow((void **)&p->regstage, &p->capstage, *nreg,
		    sizeof(*p->regstage));
		for (i = x->dst; i < *nreg; i++)
			p->regstage[i] = x->stage;
	}
	pp_xgrow((void **)&g->v, &g->cap, g->n + 1, sizeof(*g->v));
	g->v[g->n++] = *x;
	return x->dst;
}

static enum op
bin_op(enum tok t)
{
	switch (t) {
	case T_PLUS: return OP_ADD;
	case T_MINUS: return OP_SUB;
	case T_STAR: return OP_MUL;
	case T_SLASH: return OP_DIV;
	case T_LT: return OP_LT;
	case T_LE: return OP_LE;
	case T_GT: return OP_GT;
	case T_GE: return OP_GE;
	case T_EQ: return OP_EQ;
	default: return OP_NE;
	}
}

static size_t
gen_col(struct cc *cc, long col)
{
	struct pp_plan *p = cc->p;
	const struct pp_col *c = &cc->in->cols[col];
	struct insn x;

	memset(&x, 0, sizeof(x));
	x.a = (size_t)col;
	x.type = c->type;
	x.op = c->type == PP_T_F64 ? OP_LDF : c->type == PP_T_TEXT ? OP_LDT :
	    OP_LDN;
	x.colname = c->name;
	return emit(p, &p->loads, &x, 1, &p->nregs1);
}

/* Phase one code for a look-ahead-free n; returns its first register. */
static size_t gen1(struct cc *cc, const struct node *n);

/* Code for an argument: gen1, or gen2 `ahead` rows on. */
typedef size_t genarg(struct cc *cc, const struct node *n, size_t ahead,
    size_t *nreg);

static size_t
arg1(struct cc *cc, const struct node *n, size_t ahead, size_t *nreg)
{
	(void)ahead;
	(void)nreg;
	return gen1(cc, n);
}

/*
 * An elementwise call into g: a calendar value of the date column (a
 * date-time's microseconds scaled to days by k), least/greatest folded
 * into a chain of two-operand minima or maxima, clip as a maximum then a
 * minimum, and the rest one instruction of up to three operands.
 */
static size_t
gen_elem(struct cc *cc, const struct node *n, struct prog *g, size_t *nreg,
    genarg *arg, size_t ahead)
{
	struct pp_plan *p = cc->p;
	enum op op = n->fn->op;
	struct insn x;
	size_t r, i;

	memset(&x, 0, sizeof(x));
	if (n->fn->kind == F_CAL) {
		x.op = op;
		x.a = gen_col(cc, n->cols[0]);
		x.k = cc->in->cols[n->cols[0]].type == PP_T_DATETIME ?
		    86400e6 : 1;
		return emit(p, g, &x, 1, nreg);
	}
	r = arg(cc, n->args[0], ahead, nreg);
	if (op == OP_MIN || op == OP_MAX || op == OP_CLIP) {
		for (i = 1; i < n->nargs; i++) {
			x.op = op != OP_CLIP ? op : i == 1 ? OP_MAX : OP_MIN;
			x.a = r;
			x.b = arg(cc, n->args[i], ahead, nreg);
			r = emit(p, g, &x, 1, nreg);
		}
		return r;
	}
	x.op = op;
	x.a = r;
	if (n->nargs > 1)
		x.b = arg(cc, n->args[1], ahead, nreg);
	if (n->nargs > 2)
		x.c = arg(cc, n->args[2], ahead, nreg);
	return emit(p, g, &x, 1, nreg);
}

/* The index of ref() symbol name in p->syms, added on first use. */
static size_t
plan_symbol(struct pp_plan *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nsyms; i++)
		if (strcmp(p->syms[i], name) == 0)
			return i;
	p->syms = pp_xrealloc(p->syms, (p->nsyms + 1) * sizeof(*p->syms));
	p->syms[p->nsyms] = pp_xstrdup(name);
	return p->nsyms++;
}

/* A cross-sectional call into p->xs, its argument in phase one. */
static size_t
gen_cross(struct cc *cc, const struct node *n)
{
	struct pp_plan *p = cc->p;
	struct insn x;

	memset(&x, 0, sizeof(x));
	x.op = n->fn->op;
	if (n->fn->kind == F_REF) {
		x.a = gen1(cc, n->args[1]);
		x.sym = plan_symbol(p, n->args[0]->name);
	} else {
		x.a = gen1(cc, n->args[0]);
		if (x.op == OP_CS_QUANTILE)
			x.k = n->params[0];
	}
	return emit(p, &p->xs, &x, 1, &p->nregs1);
}

static size_t
gen1(struct cc *cc, const struct node *n)
{
	struct pp_plan *p = cc->p;
	struct insn x;
	size_t i, r, nser;

	memset(&x, 0, sizeof(x));
	switch (n->kind) {
	case N_NUM:
		x.op = OP_CONST;
		x.k = n->num;
		return emit(p, &p->p1, &x, 1, &p->nregs1);
	case N_NAME:
		if (n->col >= 0)
			return gen_col(cc, n->col);
		i = (size_t)(n->ref - cc->spec->defs);
		if (cc->reg1[i] == 0)
			cc->reg1[i] = gen1(cc, n->ref->root) + 1;
		r = cc->reg1[i] - 1;
		return n->part >= 0 ? r + (size_t)n->part : r;
	case N_PART:
		return gen1(cc, n->args[0]) + (size_t)n->part;
	case N_NEG:
		x.op = OP_NEG;
		x.a = gen1(cc, n->args[0]);
		return emit(p, &p->p1, &x, 1, &p->nregs1);
	case N_BIN:
		x.op = bin_op(n->op);
		x.a = gen1(cc, n->args[0]);
		x.b = gen1(cc, n->args[1]);
		return emit(p, &p->p1, &x, 1, &p->nregs1);
	case N_CALL:
		break;
	}
	if (n->fn->kind == F_ELEM || n->fn->kind == F_CAL)
		return gen_elem(cc, n, &p->p1, &p->nregs1, arg1, 0);
	if (n->fn->kind == F_CS || n->fn->kind == F_REF)
		return gen_cross(cc, n);
	/* An indicator: its series arguments, then the columns it reads. */
	x.op = OP_IND;
	x.ind = n->fn->ind;
	memcpy(x.params, n->params, sizeof(x.params));
	nser = (size_t)x.ind->nseries;
	x.nin = nser + (size_t)x.ind->nimplicit;
	{
		size_t regs[PP_IND_MAXIN];

		for (i = 0; i < nser; i++)
			regs[i] = gen1(cc, n->args[i]);
		for (i = 0; i < (size_t)x.ind->nimplicit; i++)
			regs[nser + i] = gen_col(cc, n->cols[i]);
		pp_xgrow((void **)&p->ins, &p->capins, p->nins + x.nin,
		    sizeof(*p->ins));
		x.in = p->nins;
		memcpy(p->ins + p->nins, regs, x.nin * sizeof(*regs));
		p->nins += x.nin;
	}
	return emit(p, &p->p1, &x, n->nout, &p->nregs1);
}

/* Phase two code for n evaluated `ahead` rows after the row being
 * emitted.  Registers are numbered locally (0, 1, ...) until phase one is
 * complete; finish_p2 moves them after phase one's. */
static size_t
gen2(struct cc *cc, const struct node *n, size_t ahead, size_t *nreg2)
{
	struct pp_plan *p = cc->p;
	struct insn x;

	memset(&x, 0, sizeof(x));
	if (n->lead == NULL) {
		x.op = OP_LOAD;
		x.a = gen1(cc, n);
		x.b = ahead;
		if (ahead > p->lead)
			p->lead = ahead;
		return emit(p, &p->p2, &x, 1, nreg2);
	}
	switch (n->kind) {
	case N_NAME: {		/* a target using an earlier target */
		size_t i = (size_t)(n->ref - cc->spec->defs);

		if (cc->reg2[i] == 0 || cc->ahead2[i] != ahead) {
			cc->reg2[i] = gen2(cc, n->ref->root, ahead, nreg2) + 1;
			cc->ahead2[i] = ahead;
		}
		return cc->reg2[i] - 1;
	}
	case N_NEG:
		x.op = OP_NEG;
		x.a = gen2(cc, n->args[0], ahead, nreg2);
		return emit(p, &p->p2, &x, 1, nreg2);
	case N_BIN:
		x.op = bin_op(n->op);
		x.a = gen2(cc, n->args[0], ahead, nreg2);
		x.b = gen2(cc, n->args[1], ahead, nreg2);
		return emit(p, &p->p2, &x, 1, nreg2);
	default:
		break;
	}
	/* A call with a lead below: lead itself, or an elementwise function
	 * (the checker refused indicators over lead). */
	if (n->fn->kind == F_LEAD)
		return gen2(cc, n->args[0], ahead + (size_t)n->params[0],
		    nreg2);
	return gen_elem(cc, n, &p->p2, nreg2, gen2, ahead);
}

/*
 * Leading rows of a value that are missing for input without missing
 * values.  Indicators.h guarantees that warm-ups add up through nesting:
 * f(g(x), h(x)) warms up for warmup(f) + max(warmup(g), warmup(h)) rows,
 * and elementwise operations for the longest of their operands.  A name
 * reads its definition's warm-up, computed before (definitions are
 * compiled in order and refer only to earlier ones), so a chain of
 * definitions that each use the one before twice costs a step per node,
 * not 2^chain.
 */
static long
node_warmup(const struct node *n)
{
	long w = 0, v;
	size_t i, nser = n->nargs;

	switch (n->kind) {
	case N_NUM:
		return 0;
	case N_NAME:
		return n->ref != NULL ? n->ref->warmup : 0;
	case N_CALL:
		if (n->fn->kind == F_IND)
			nser = (size_t)n->fn->ind->nseries;
		else if (n->fn->kind == F_LEAD || n->fn->kind == F_CS)
			nser = 1;
		else if (n->fn->kind == F_REF)
			return node_warmup(n->args[1]);
		break;
	default:
		break;
	}
	for (i = 0; i < nser; i++)
		if ((v = node_warmup(n->args[i])) > w)
			w = v;
	if (n->kind == N_CALL && n->fn->kind == F_IND)
		w += n->fn->ind->warmup(n->params);
	return w;
}

void
pp_plan_free(struct pp_plan *p)
{
	size_t i;

	if (p == NULL)
		return;
	free(p->loads.v);
	free(p->p1.v);
	free(p->xs.v);
	free(p->p2.v);
	free(p->seg);
	free(p->regstage);
	for (i = 0; i < p->nsyms; i++)
		free(p->syms[i]);
	free(p->syms);
	free(p->ins);
	for (i = 0; i < p->nout; i++)
		free(p->names[i]);
	free(p->names);
	free(p->out_reg);
	free(p->warmup);
	free(p);
}

/* Order p1 by stage, stably, and find where each stage starts. */
static void
order_stages(struct pp_plan *p)
{
	struct insn *v = pp_xcalloc(p->p1.n + 1, sizeof(*v));
	size_t i, k, n = 0;

	p->nstages = 1;
	for (i = 0; i < p->xs.n; i++)
		if (p->xs.v[i].stage + 1 > p->nstages)
			p->nstages = p->xs.v[i].stage + 1;
	p->seg = pp_xcalloc(p->nstages + 1, sizeof(*p->seg));
	for (k = 0; k < p->nstages; k++) {
		p->seg[k] = n;
		for (i = 0; i < p->p1.n; i++)
			if (p->p1.v[i].stage == k)
				v[n++] = p->p1.v[i];
	}
	p->seg[p->nstages] = n;
	if (n > 0)
		memcpy(p->p1.v, v, n * sizeof(*v));
	free(v);
	free(p->regstage);
	p->regstage = NULL;
}

struct pp_plan *
pp_plan_compile(struct pp_spec *s, const struct pp_schema *in,
    struct pp_err *err)
{
	struct cc cc;
	struct pp_plan *p = pp_xcalloc(1, sizeof(*p));
	size_t i, j, nreg2 = 0, *is_p2 = NULL;
	size_t nfeat = 0;

	memset(&cc, 0, sizeof(cc));
	cc.spec = s;
	cc.in = in;
	cc.err = err;
	cc.p = p;
	cc.reg1 = pp_xcalloc(s->n + 1, sizeof(*cc.reg1));
	cc.reg2 = pp_xcalloc(s->n + 1, sizeof(*cc.reg2));
	cc.ahead2 = pp_xcalloc(s->n + 1, sizeof(*cc.ahead2));
	if (s->n == 0) {
		pp_err_set(err, PP_EXIT_USAGE, "no features: give -f NAME=EXPR, "
		    "--target NAME=EXPR or -F FILE");
		goto fail;
	}
	/* Check everything first, so no code is made for a bad spec. */
	for (i = 0; i < s->n; i++) {
		cc.d = &s->defs[i];
		cc.di = i;
		if (resolve(&cc, cc.d->root) == -1 ||
		    check_names(&cc, cc.d) == -1)
			goto fail;
		if (!cc.d->is_target)
			nfeat += cc.d->root->nout;
	}
	p->nout = cc.nnames;
	p->nfeat = nfeat;
	p->names = pp_xcalloc(p->nout, sizeof(*p->names));
	p->out_reg = pp_xcalloc(p->nout, sizeof(*p->out_reg));
	p->warmup = pp_xcalloc(p->nout, sizeof(*p->warmup));
	is_p2 = pp_xcalloc(p->nout, sizeof(*is_p2));
	for (i = 0; i < s->n; i++)
		s->defs[i].warmup = node_warmup(s->defs[i].root);
	/* Features first, then targets, each in definition order. */
	{
		size_t o = 0, f = 0, t = nfeat, k = 0;

		for (i = 0; i < s->n; i++) {
			const struct def *d = &s->defs[i];

			for (j = 0; j < d->root->nout; j++, k++) {
				o = d->is_target ? t++ : f++;
				p->names[o] = cc.names[k];
				cc.names[k] = NULL;
				p->warmup[o] = d->warmup;
				if (!d->is_target)
					p->out_reg[o] = gen1(&cc, d->root) + j;
				else if (d->root->nout > 1) {
					/* Whole multi-output target (no lead:
					 * the checker saw to it). */
					struct insn x;

					memset(&x, 0, sizeof(x));
					x.op = OP_LOAD;
					x.a = gen1(&cc, d->root) + j;
					p->out_reg[o] = emit(p, &p->p2, &x, 1,
					    &nreg2);
					is_p2[o] = 1;
				} else {
					p->out_reg[o] = gen2(&cc, d->root, 0,
					    &nreg2);
					is_p2[o] = 1;
				}
			}
		}
	}
	/* Phase two's registers go after phase one's. */
	p->nregs = p->nregs1 + nreg2;
	for (i = 0; i < p->p2.n; i++) {
		struct insn *x = &p->p2.v[i];

		x->dst += p->nregs1;
		if (x->op != OP_LOAD) {
			x->a += p->nregs1;
			x->b += p->nregs1;
			x->c += p->nregs1;
		}
	}
	for (i = 0; i < p->nout; i++)
		if (is_p2[i])
			p->out_reg[i] += p->nregs1;
	order_stages(p);
	/* State: one block per symbol, each indicator's part 16-aligned. */
	for (i = 0; i < p->p1.n; i++) {
		struct insn *x = &p->p1.v[i];

		if (x->op != OP_IND)
			continue;
		x->state = p->state_size;
		p->state_size += (x->ind->state_size(x->params) + 15) & ~(size_t)15;
	}
	free(is_p2);
	free(cc.names);
	free(cc.reg1);
	free(cc.reg2);
	free(cc.ahead2);
	return p;
fail:
	for (i = 0; i < cc.nnames; i++)
		free(cc.names[i]);
	free(cc.names);
	free(is_p2);
	free(cc.reg1);
	free(cc.reg2);
	free(cc.ahead2);
	pp_plan_free(p);
	return NULL;
}

size_t
pp_plan_nout(const struct pp_plan *p)
{
	return p->nout;
}

size_t
pp_plan_nfeatures(const struct pp_plan *p)
{
	return p->nfeat;
}

const char *
pp_plan_out_name(const struct pp_plan *p, size_t i)
{
	return p->names[i];
}

long
pp_plan_warmup(const struct pp_plan *p, size_t i)
{
	return p->warmup[i];
}

size_t
pp_plan_lead(const struct pp_plan *p)
{
	return p->lead;
}

size_t
pp_plan_state_size(const struct pp_plan *p)
{
	return p->state_size;
}

size_t
pp_plan_nregs(const struct pp_plan *p)
{
	return p->nregs;
}

size_t
pp_plan_out_reg(const struct pp_plan *p, size_t i)
{
	return p->out_reg[i];
}

/* ---- running ----------------------------------------------------------- */

void
pp_plan_state_init(const struct pp_plan *p, void *state)
{
	struct pp_err e = PP_ERR_INIT;
	size_t i;

	for (i = 0; i < p->p1.n; i++) {
		const struct insn *x = &p->p1.v[i];

		/* The parameters passed pp_ind_params: init cannot fail. */
		if (x->op == OP_IND)
			(void)x->ind->init((char *)state + x->state, x->params,
			    &e);
	}
}

static double
cmp_result(double a, double b, int r)
{
	return isnan(a) || isnan(b) ? NAN : r ? 1.0 : 0.0;
}

/* A calendar value of a date held as days * k (k = 1 for a date, a day's
 * microseconds for a date-time); NaN for a missing one. */
static double
calendar(enum op op, double v, double k)
{
	int64_t days, jan1, thu;
	int y, m, d, wd;

	if (isnan(v) || !(fabs(v / k) < 4e6))
		return NAN;
	days = (int64_t)floor(v / k);
	wd = pp_date_weekday(days);
	if (op == OP_DOW)
		return wd;
	pp_date_to_ymd(days, &y, &m, &d);
	if (op == OP_DOM)
		return d;
	if (op == OP_MONTH)
		return m;
	if (op == OP_DOY) {
		pp_date_from_ymd(y, 1, 1, &jan1);
		return (double)(days - jan1 + 1);
	}
	/* ISO week: the week's Thursday decides its year. */
	thu = days - wd + 3;
	pp_date_to_ymd(thu, &y, &m, &d);
	pp_date_from_ymd(y, 1, 1, &jan1);
	return (double)((thu - jan1) / 7 + 1);
}

/* The elementwise operations of both phases. */
static inline double
elem(const struct insn *x, const double *r)
{
	double a = r[x->a], b;

	switch (x->op) {
	case OP_CONST: return x->k;
	case OP_NEG: return -a;
	case OP_ABS: return fabs(a);
	case OP_LOG: return log(a);
	case OP_EXP: return exp(a);
	case OP_SQRT: return sqrt(a);
	case OP_SIGN: return a > 0 ? 1.0 : a < 0 ? -1.0 : a == 0 ? 0.0 : a;
	case OP_NOT: return isnan(a) ? NAN : a == 0 ? 1.0 : 0.0;
	case OP_ISNAN: return isnan(a) ? 1.0 : 0.0;
	case OP_DOW: case OP_DOM: case OP_MONTH: case OP_DOY: case OP_WEEK:
		return calendar(x->op, a, x->k);
	case OP_IF: return isnan(a) ? NAN : a != 0 ? r[x->b] : r[x->c];
	default: break;
	}
	b = r[x->b];
	switch (x->op) {
	case OP_ADD: return a + b;
	case OP_SUB: return a - b;
	case OP_MUL: return a * b;
	case OP_DIV: return a / b;
	case OP_LT: return cmp_result(a, b, a < b);
	case OP_LE: return cmp_result(a, b, a <= b);
	case OP_GT: return cmp_result(a, b, a > b);
	case OP_GE: return cmp_result(a, b, a >= b);
	case OP_EQ: return cmp_result(a, b, a == b);
	case OP_NE: return cmp_result(a, b, a != b);
	case OP_AND: return cmp_result(a, b, a != 0 && b != 0);
	case OP_OR: return cmp_result(a, b, a != 0 || b != 0);
	case OP_MIN: return isnan(a) || isnan(b) ? NAN : a < b ? a : b;
	case OP_MAX: return isnan(a) || isnan(b) ? NAN : a > b ? a : b;
	case OP_NANTO: return isnan(a) ? b : a;
	default: return NAN;
	}
}

/* Phase one's instructions of one stage on one row. */
static void
run_stage(const struct pp_plan *p, size_t stage, void *state, double *regs)
{
	const struct insn *x;
	double in[PP_IND_MAXIN];
	size_t i, k;

	/* By index: an empty program's array is NULL, and NULL + 0 is
	 * undefined behaviour (UBSan, clang). */
	for (k = p->seg[stage]; k < p->seg[stage + 1]; k++) {
		x = &p->p1.v[k];
		if (x->op != OP_IND) {
			regs[x->dst] = elem(x, regs);
			continue;
		}
		/* An infinite input is as missing as a NaN one (a ratio
		 * over a zero volume): summed, it would poison every later
		 * window sum and recursion of the symbol. */
		for (i = 0; i < x->nin; i++) {
			in[i] = regs[p->ins[x->in + i]];
			if (isinf(in[i]))
				in[i] = NAN;
		}
		x->ind->step((char *)state + x->state, in, regs + x->dst);
	}
}

int
pp_plan_step(const struct pp_plan *p, void *state, const union pp_cell *row,
    double *regs, struct pp_err *err)
{
	const struct insn *x;
	size_t k;

	/* By index: an empty program's array is NULL, and NULL + 0 is
	 * undefined behaviour (UBSan, clang). */
	/* Loads first and alone, so a bad cell fails before any state moves. */
	for (k = 0; k < p->loads.n; k++) {
		const union pp_cell *c = &row[p->loads.v[k].a];

		x = &p->loads.v[k];

		switch (x->op) {
		case OP_LDF:
			regs[x->dst] = c->f;
			break;
		case OP_LDN:
			regs[x->dst] = pp_cell_num(x->type, c);
			break;
		default:
			if (pp_parse_double(c->s.p, c->s.len, &regs[x->dst]) == -1)
				return pp_err_set(err, PP_EXIT_DATA,
				    "column \"%s\": not a number: \"%.*s\"",
				    x->colname, (int)(c->s.len > 40 ? 40 :
				    c->s.len), c->s.p);
			break;
		}
	}
	run_stage(p, 0, state, regs);
	return 0;
}

size_t
pp_plan_stages(const struct pp_plan *p)
{
	return p->nstages;
}

void
pp_plan_step_stage(const struct pp_plan *p, size_t stage, void *state,
    double *regs)
{
	run_stage(p, stage, state, regs);
}

/* A value of a cross-section and the row it comes from. */
struct xval {
	double v;
	size_t i;
};

static int
by_value(const void *a, const void *b)
{
	const struct xval *x = a, *y = b;

	return x->v < y->v ? -1 : x->v > y->v;
}

/* Bucket 1..q of average rank r among m values (see cs_quantile). */
static double
bucket(double r, size_t m, double q)
{
	double b;

	if (m < 2)
		return 1;
	/* q (r - 1) is exact (a half-integer times a whole number), so an
	 * exact quotient is exact and ceil does not go one bucket up. */
	b = ceil(q * (r - 1) / (double)(m - 1));
	return b < 1 ? 1 : b;
}

/*
 * One cross-sectional instruction over the n rows of a date.  Missing and
 * infinite values take no part and get NaN, as in pandas (where inf is
 * kept: we treat it as indicators do).  Ranks are 1..m over the m values
 * taking part, ties getting the average of the ranks they span.
 */
static void
cross_one(const struct pp_plan *p, const struct insn *x,
    struct pp_xrow *rows, size_t n, void *scratch)
{
	struct xval *t = scratch;
	size_t m = 0, i, j, k;
	double sum = 0, mean, ss = 0, sd, r, v = NAN;

	if (x->op == OP_REF) {
		const char *sym = p->syms[x->sym];
		size_t len = strlen(sym);

		for (i = 0; i < n; i++)
			if (rows[i].symlen == len &&
			    memcmp(rows[i].sym, sym, len) == 0) {
				v = rows[i].regs[x->a];
				break;
			}
		for (i = 0; i < n; i++)
			rows[i].regs[x->dst] = v;
		return;
	}
	for (i = 0; i < n; i++) {
		v = rows[i].regs[x->a];
		rows[i].regs[x->dst] = NAN;
		if (isfinite(v)) {
			t[m].v = v;
			t[m++].i = i;
			sum += v;
		}
	}
	if (m == 0)
		return;
	if (x->op == OP_CS_DEMEAN || x->op == OP_CS_ZSCORE) {
		/* Two passes: the deviations from the mean, not sum(x^2). */
		mean = sum / (double)m;
		for (j = 0; j < m; j++)
			ss += (t[j].v - mean) * (t[j].v - mean);
		sd = m > 1 ? sqrt(ss / (double)(m - 1)) : NAN;
		for (j = 0; j < m; j++)
			rows[t[j].i].regs[x->dst] = x->op == OP_CS_DEMEAN ?
			    t[j].v - mean : sd > 0 ? (t[j].v - mean) / sd : NAN;
		return;
	}
	qsort(t, m, sizeof(*t), by_value);
	for (j = 0; j < m; j = k) {
		for (k = j + 1; k < m && t[k].v == t[j].v; k++)
			;
		r = (double)(j + 1 + k) / 2;	/* mean of ranks j+1..k */
		for (i = j; i < k; i++)
			rows[t[i].i].regs[x->dst] = x->op == OP_CS_RANK ?
			    r / (double)m : bucket(r, m, x->k);
	}
}

void
pp_plan_cross(const struct pp_plan *p, size_t stage, struct pp_xrow *rows,
    size_t n)
{
	void *scratch;
	size_t i;

	if (n == 0)
		return;
	scratch = pp_xcalloc(n, sizeof(struct xval));
	for (i = 0; i < p->xs.n; i++)
		if (p->xs.v[i].stage == stage)
			cross_one(p, &p->xs.v[i], rows, n, scratch);
	free(scratch);
}

void
pp_plan_targets(const struct pp_plan *p, double *const *win)
{
	const struct insn *x;
	double *r = win[0];
	size_t k;

	for (k = 0; k < p->p2.n; k++) {
		x = &p->p2.v[k];
		if (x->op == OP_LOAD)
			r[x->dst] = win[x->b] ? win[x->b][x->a] : NAN;
		else
			r[x->dst] = elem(x, r);
	}
}

/* ---- the canonical spec -------------------------------------------------- */

/* Binding strength: comparisons 1, + - 2, * / 3, unary minus 4, the rest
 * (numbers, names, calls, parts) 5, as the parser reads them. */
static int
node_prec(const struct node *n)
{
	if (n->kind == N_NEG)
		return 4;
	if (n->kind != N_BIN)
		return 5;
	if (is_cmp(n->op))
		return 1;
	return n->op == T_PLUS || n->op == T_MINUS ? 2 : 3;
}

static void
print_num(struct pp_buf *b, double x)
{
	char buf[PP_DBL_BUFSZ];

	/* A literal too large for a double reads as inf; "inf" would read
	 * as a name. */
	if (isinf(x)) {
		pp_buf_addstr(b, x < 0 ? "-1e999" : "1e999");
		return;
	}
	pp_fmt_double(buf, x);
	pp_buf_addstr(b, buf);
}

static void
print_name(struct pp_buf *b, const char *name)
{
	size_t i;
	int plain = is_ident_start((unsigned char)name[0]);

	for (i = 1; plain && name[i] != '\0'; i++)
		plain = is_ident((unsigned char)name[i]);
	/* A column named as a keyword reads back as the keyword ("not"
	 * starts a negation) unless quoted. */
	if (strcmp(name, "and") == 0 || strcmp(name, "or") == 0 ||
	    strcmp(name, "not") == 0)
		plain = 0;
	if (plain)
		pp_buf_addstr(b, name);
	else
		pp_buf_addf(b, "\"%s\"", name);
}

static void print_node(struct pp_buf *b, const struct node *n, int min);

/*
 * A checked call: its series as written (every argument of our own
 * functions: least and greatest take any number), then every constant
 * parameter of an indicator, the defaults filled in by the checker, a
 * choice by its name (vol's method), so that the text reads back as the
 * same call.
 */
static void
print_call(struct pp_buf *b, const struct node *n)
{
	const struct fn *f = n->fn;
	size_t i, nser;

	pp_buf_addf(b, "%s(", n->name);
	nser = f->kind == F_IND ? (size_t)f->ind->nseries :
	    f->kind == F_LEAD ? 1 : n->nargs;
	if (n->nargs < nser)
		nser = n->nargs;
	for (i = 0; i < nser; i++) {
		if (i > 0)
			pp_buf_addc(b, ',');
		print_node(b, n->args[i], 0);
	}
	if (f->kind == F_LEAD) {
		pp_buf_addc(b, ',');
		print_num(b, n->params[0]);
	}
	for (i = 0; f->kind == F_IND && i < (size_t)f->ind->nparams; i++) {
		const char *const *ch = f->ind->params[i].choices;

		if (i > 0 || nser > 0)
			pp_buf_addc(b, ',');
		if (ch != NULL)
			pp_buf_addstr(b, ch[(int)n->params[i]]);
		else
			print_num(b, n->params[i]);
	}
	pp_buf_addc(b, ')');
}

/* n in a place that binds at least min tightly: parentheses if it binds
 * less. */
static void
print_node(struct pp_buf *b, const struct node *n, int min)
{
	static const char *const ops[] = { [T_PLUS] = "+", [T_MINUS] = "-",
		[T_STAR] = "*", [T_SLASH] = "/", [T_LT] = "<", [T_LE] = "<=",
		[T_GT] = ">", [T_GE] = ">=", [T_EQ] = "==", [T_NE] = "!=" };
	int prec = node_prec(n), paren = prec < min;

	if (paren)
		pp_buf_addc(b, '(');
	switch (n->kind) {
	case N_NUM:
		print_num(b, n->num);
		break;
	case N_NAME:
		print_name(b, n->name);
		break;
	case N_NEG:
		pp_buf_addc(b, '-');
		print_node(b, n->args[0], 4);
		break;
	case N_BIN:
		print_node(b, n->args[0], prec);
		pp_buf_addstr(b, ops[n->op]);
		print_node(b, n->args[1], prec + 1);
		break;
	case N_PART:
		print_node(b, n->args[0], 5);
		pp_buf_addf(b, ".%s", n->name);
		break;
	case N_CALL:
		print_call(b, n);
		break;
	}
	if (paren)
		pp_buf_addc(b, ')');
}

void
pp_spec_print(const struct pp_spec *s, int targets, struct pp_buf *b)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct def *d = &s->defs[i];

		if (d->is_target && !targets)
			continue;
		pp_buf_addf(b, "%s%s=", d->is_target ? "target " : "", d->name);
		print_node(b, d->root, 0);
		pp_buf_addc(b, '\n');
	}
}

/* Whether name is one a definition of s defines: NAME, or NAME_part for
 * any output part an indicator has (a superset of what the checker will
 * find, which only makes a name less likely to be taken for a column). */
static int
defined_name(const struct pp_spec *s, const char *name)
{
	const struct pp_ind_def *all;
	size_t i, n, len;
	int k;

	for (i = 0; i < s->n; i++) {
		const char *d = s->defs[i].name;

		if (strcmp(d, name) == 0)
			return 1;
		len = strlen(d);
		if (strncmp(d, name, len) != 0 || name[len] != '_')
			continue;
		all = pp_ind_all(&n);
		for (; n-- > 0; all++)
			for (k = 0; all->noutputs > 1 && k < all->noutputs; k++)
				if (strcmp(all->outputs[k], name + len + 1) == 0)
					return 1;
	}
	return 0;
}

static void
add_column(const struct pp_spec *s, struct pp_schema *out, const char *name)
{
	struct pp_err e = PP_ERR_INIT;

	if (name[0] != '\0' && !defined_name(s, name) &&
	    pp_schema_find(out, name) < 0)
		(void)pp_schema_add(out, name, PP_T_F64, &e);
}

static void
collect_columns(const struct pp_spec *s, const struct node *n,
    struct pp_schema *out)
{
	const struct pp_ind_def *d;
	const struct fn *f = NULL;
	struct fn tmp;
	size_t i;
	char col[64];

	if (n->kind == N_NAME)
		add_column(s, out, n->name);
	if (n->kind == N_CALL)
		f = find_fn(n->name, &tmp);
	/* vol's method names a choice, not a column; ref(SYMBOL, x): SYMBOL
	 * names a symbol. */
	i = n->kind == N_CALL && strcmp(n->name, "ref") == 0 ? 1 : 0;
	for (; i < n->nargs; i++)
		if (f == NULL || choice_param(f, i) == NULL)
			collect_columns(s, n->args[i], out);
	if (n->kind == N_CALL && (d = pp_ind_find(n->name)) != NULL)
		for (i = 0; i < (size_t)d->nimplicit; i++) {
			implicit_name(d, (int)i, col, sizeof(col));
			add_column(s, out, col);
		}
}

void
pp_spec_columns(const struct pp_spec *s, int targets, struct pp_schema *out)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (targets || !s->defs[i].is_target)
			collect_columns(s, s->defs[i].root, out);
}
