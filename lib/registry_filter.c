/*
 * registry_filter.c - MLflow's run search syntax to SQL.  The one idea: the text is
 * lexed and parsed into a tree, and the tree is written back as SQL with
 * every value bound as a parameter, never pasted into the SQL text, so a
 * filter cannot inject SQL.
 */
#include "registry_filter.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "num.h"
#include "util.h"
#include "banned.h"

/* What a comparison looks at. */
enum entity { E_METRIC, E_PARAM, E_TAG, E_ATTR };

enum tok {
	T_END, T_KEY, T_STR, T_NUM, T_OP, T_LP, T_RP, T_COMMA,
	T_AND, T_OR, T_NOT, T_IN, T_LIKE, T_ILIKE, T_ASC, T_DESC,
	T_IS, T_NULL
};

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_LIKE, OP_ILIKE,
	OP_IN, OP_NOTIN, OP_ISNULL, OP_NOTNULL };

/* The SQL for each operator (LIKE is case-sensitive: written as GLOB). */
static const char *const op_sql[] = {
	"=", "!=", "<", "<=", ">", ">=", "GLOB", "LIKE", "IN", "NOT IN",
	"IS NULL", "IS NOT NULL"
};

/*
 * PostgreSQL's LIKE is case-sensitive, as MLflow's: the pattern goes as it
 * is, with no escape character (ESCAPE ''), as in SQLite's GLOB and LIKE.
 */
static const char *
op_text(const struct pp_registry_filter *f, enum op op)
{
	if (f->pg && op == OP_LIKE)
		return "LIKE";
	if (f->pg && op == OP_ILIKE)
		return "ILIKE";
	return op_sql[op];
}

/* Attributes a filter may name, and the SQL column behind each. */
static const struct attr {
	const char *name;
	const char *col;
	int numeric;
} attrs[] = {
	{ "run_id", "r.run_id", 0 },
	{ "run_name", "r.name", 0 },
	{ "name", "r.name", 0 },
	{ "status", "r.status", 0 },
	{ "user", "r.\"user\"", 0 },
	{ "user_id", "r.\"user\"", 0 },
	{ "experiment", "e.name", 0 },
	{ "fingerprint", "r.fingerprint", 0 },
	{ "parent_run_id", "r.parent_run_id", 0 },
	{ "start_time", "r.start_time", 1 },
	{ "end_time", "r.end_time", 1 },
	{ NULL, NULL, 0 }
};

/* Prefixes before the dot. */
static const struct {
	const char *name;
	enum entity ent;
} prefixes[] = {
	{ "metrics", E_METRIC }, { "metric", E_METRIC },
	{ "params", E_PARAM }, { "param", E_PARAM },
	{ "tags", E_TAG }, { "tag", E_TAG },
	{ "attributes", E_ATTR }, { "attribute", E_ATTR },
	{ "attr", E_ATTR }, { "run", E_ATTR },
	{ NULL, 0 }
};

static const struct {
	const char *word;
	enum tok t;
} keywords[] = {
	{ "and", T_AND }, { "or", T_OR }, { "not", T_NOT }, { "in", T_IN },
	{ "like", T_LIKE }, { "ilike", T_ILIKE }, { "asc", T_ASC },
	{ "desc", T_DESC }, { "is", T_IS }, { "null", T_NULL }, { NULL, 0 }
};

struct token {
	enum tok t;
	size_t off;		/* where it starts in the input */
	size_t len;		/* its length in the input */
	enum entity ent;	/* T_KEY */
	const struct attr *attr; /* T_KEY with E_ATTR; NULL if unknown */
	char *text;		/* T_KEY: key; T_STR: the string (owned) */
	double num;		/* T_NUM */
	enum op op;		/* T_OP */
};

/* A node of the parsed tree. */
struct node {
	enum { N_AND, N_OR, N_NOT, N_CMP } type;
	struct node *l, *r;	/* N_AND, N_OR: both; N_NOT: l */
	enum entity ent;	/* N_CMP: */
	const struct attr *attr;
	char *key;		/* owned; NULL for attributes */
	enum op op;
	struct token *vals;	/* T_STR or T_NUM tokens, owned */
	size_t nvals;
};

struct parser {
	const char *s;		/* the input */
	size_t pos;		/* next byte to lex */
	struct token tok;	/* the current token */
	struct pp_err *err;
	int depth;		/* NOTs and parentheses open */
	const char *what;	/* "filter" or "order-by", for messages */
};

/*
 * NOT and parentheses nest, in this parser's recursion and in the SQL
 * SQLite parses (whose parser stack is 100 deep); 20 levels are more
 * than any search needs.  AND and OR chains do not nest: however many
 * terms, they are a loop here and a tree of logarithmic height in the
 * SQL (100 OR'ed terms used to overflow SQLite's parser as 100 nested
 * pairs; a flat chain is as deep as it is long to SQLite's expression
 * depth limit, 1000).
 */
#define MAX_DEPTH 20

/* The message quotes up to 20 bytes of the input from off, cut before a
 * UTF-8 continuation byte and escaped: one line whatever the user wrote
 * (pp-serve and the tests see it raw, not through the terminal-safe
 * printer of cli.c). */
static int
fail(struct parser *p, size_t off, const char *what)
{
	const char *at = p->s + off;
	size_t n = strlen(at), show = n > 20 ? 20 : n;
	struct pp_buf b = PP_BUF_INIT;

	if (*at == '\0')
		return pp_err_set(p->err, PP_EXIT_USAGE,
		    "%s: offset %zu: %s at the end", p->what, off, what);
	while (show < n && show > 0 && ((unsigned char)at[show] & 0xc0) == 0x80)
		show--;
	pp_buf_addshown(&b, at, show);
	pp_err_set(p->err, PP_EXIT_USAGE, "%s: offset %zu: %s at \"%s%s\"",
	    p->what, off, what, b.data, show < n ? "..." : "");
	pp_buf_release(&b);
	return -1;
}

static int
is_word_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_word(char c)
{
	return is_word_start(c) || (c >= '0' && c <= '9');
}

static int
is_key_char(char c)
{
	return is_word(c) || c == '.' || c == '-' || c == '/' || c == ':';
}

/* Read a quoted string starting at s[*pos] (the quote) into *out. */
static int
lex_quoted(struct parser *p, size_t *pos, char **out)
{
	struct pp_buf b = PP_BUF_INIT;
	size_t start = *pos, i = *pos + 1;
	char q = p->s[*pos];

	for (;; i++) {
		char c = p->s[i];

		if (c == '\0') {
			pp_buf_release(&b);
			return fail(p, start, "unterminated quote");
		}
		if (c == q)
			break;
		if (c == '\\' && (p->s[i + 1] == q || p->s[i + 1] == '\\'))
			c = p->s[++i];
		pp_buf_addc(&b, c);
	}
	*pos = i + 1;
	*out = pp_buf_detach(&b, NULL);
	return 0;
}

static void
token_clear(struct token *t)
{
	free(t->text);
	memset(t, 0, sizeof(*t));
}

/* Lex the next token into p->tok. */
static int
next(struct parser *p)
{
	const char *s = p->s;
	size_t i = p->pos, j;
	struct token *t = &p->tok;

	token_clear(t);
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		i++;
	t->off = i;
	if (s[i] == '\0') {
		t->t = T_END;
	} else if (s[i] == '(' || s[i] == ')' || s[i] == ',') {
		t->t = s[i] == '(' ? T_LP : s[i] == ')' ? T_RP : T_COMMA;
		i++;
	} else if (s[i] == '=' || s[i] == '<' || s[i] == '>' || s[i] == '!') {
		t->t = T_OP;
		if (s[i] == '=') {
			t->op = OP_EQ;
			i += s[i + 1] == '=' ? 2 : 1;
		} else if (s[i] == '!' && s[i + 1] == '=') {
			t->op = OP_NE;
			i += 2;
		} else if (s[i] == '<' && s[i + 1] == '>') {
			t->op = OP_NE;
			i += 2;
		} else if (s[i] == '<' || s[i] == '>') {
			int eq = s[i + 1] == '=';

			t->op = s[i] == '<' ? (eq ? OP_LE : OP_LT)
					    : (eq ? OP_GE : OP_GT);
			i += eq ? 2 : 1;
		} else {
			return fail(p, i, "unexpected character");
		}
	} else if (s[i] == '\'' || s[i] == '"') {
		t->t = T_STR;
		if (lex_quoted(p, &i, &t->text) == -1)
			return -1;
	} else if ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
	    ((s[i] == '-' || s[i] == '+') &&
	    ((s[i + 1] >= '0' && s[i + 1] <= '9') || s[i + 1] == '.'))) {
		j = i + 1;
		while ((s[j] >= '0' && s[j] <= '9') || s[j] == '.' ||
		    ((s[j] == 'e' || s[j] == 'E')) ||
		    ((s[j] == '-' || s[j] == '+') &&
		    (s[j - 1] == 'e' || s[j - 1] == 'E')))
			j++;
		if (is_word(s[j]) ||
		    pp_parse_double(s + i, j - i, &t->num) == -1 ||
		    t->num != t->num)
			return fail(p, i, "bad number");
		t->t = T_NUM;
		i = j;
	} else if (is_word_start(s[i])) {
		size_t k;

		for (j = i; is_word(s[j]); j++)
			;
		for (k = 0; keywords[k].word; k++)
			if (strlen(keywords[k].word) == j - i &&
			    strncasecmp(s + i, keywords[k].word, j - i) == 0)
				break;
		if (keywords[k].word != NULL) {
			t->t = keywords[k].t;
			i = j;
		} else if (s[j] == '.') {
			for (k = 0; prefixes[k].name; k++)
				if (strlen(prefixes[k].name) == j - i &&
				    strncasecmp(s + i, prefixes[k].name,
				    j - i) == 0)
					break;
			if (prefixes[k].name == NULL)
				return fail(p, i, "unknown prefix (want "
				    "metrics, params, tags or attributes)");
			t->t = T_KEY;
			t->ent = prefixes[k].ent;
			j++;
			if (s[j] == '`' || s[j] == '"') {
				if (lex_quoted(p, &j, &t->text) == -1)
					return -1;
			} else {
				size_t k0 = j;

				while (is_key_char(s[j]))
					j++;
				t->text = pp_xstrndup(s + k0, j - k0);
			}
			if (t->text[0] == '\0')
				return fail(p, i, "empty key");
			i = j;
		} else {
			t->t = T_KEY;
			t->ent = E_ATTR;
			t->text = pp_xstrndup(s + i, j - i);
			i = j;
		}
		if (t->t == T_KEY && t->ent == E_ATTR) {
			for (k = 0; attrs[k].name; k++)
				if (strcmp(attrs[k].name, t->text) == 0)
					break;
			t->attr = attrs[k].name ? &attrs[k] : NULL;
		}
	} else {
		return fail(p, i, "unexpected character");
	}
	t->len = i - t->off;
	p->pos = i;
	return 0;
}

static void
node_free(struct node *n)
{
	size_t i;

	/* Down the left spine in a loop: a chain of AND or OR is as long
	 * as it has terms; a right child is a term, nested at most
	 * MAX_DEPTH deep. */
	while (n != NULL) {
		struct node *l = n->l;

		node_free(n->r);
		free(n->key);
		for (i = 0; i < n->nvals; i++)
			free(n->vals[i].text);
		free(n->vals);
		free(n);
		n = l;
	}
}

static struct node *parse_or(struct parser *p);

/* Take the current token as a value of comparison n, checking its type. */
static int
take_value(struct parser *p, struct node *n)
{
	int numeric = n->ent == E_METRIC || (n->attr && n->attr->numeric);

	if (numeric && p->tok.t != T_NUM)
		return fail(p, p->tok.off, "expected a number");
	if (!numeric && p->tok.t != T_STR)
		return fail(p, p->tok.off, "expected a quoted string");
	n->vals = pp_xrealloc(n->vals, (n->nvals + 1) * sizeof(*n->vals));
	n->vals[n->nvals++] = p->tok;
	memset(&p->tok, 0, sizeof(p->tok));
	return next(p);
}

/*
 * KEY IS [NOT] NULL, the current token being IS: whether the run has the
 * key at all, so "runs without a parent" or "runs never scored" can be
 * asked for (every other comparison is false on a missing key).
 */
static int
parse_is_null(struct parser *p, struct node *n)
{
	n->op = OP_ISNULL;
	if (next(p) == -1)
		return -1;
	if (p->tok.t == T_NOT) {
		n->op = OP_NOTNULL;
		if (next(p) == -1)
			return -1;
	}
	if (p->tok.t != T_NULL)
		return fail(p, p->tok.off, "expected NULL after IS");
	return next(p);
}

static struct node *
parse_cmp(struct parser *p)
{
	struct node *n;
	int numeric, neg = 0;

	if (p->tok.t != T_KEY) {
		fail(p, p->tok.off, "expected a key such as metrics.rmse");
		return NULL;
	}
	if (p->tok.ent == E_ATTR && p->tok.attr == NULL) {
		fail(p, p->tok.off, "unknown attribute");
		return NULL;
	}
	n = pp_xcalloc(1, sizeof(*n));
	n->type = N_CMP;
	n->ent = p->tok.ent;
	n->attr = p->tok.attr;
	if (n->ent != E_ATTR) {
		n->key = p->tok.text;
		p->tok.text = NULL;
	}
	numeric = n->ent == E_METRIC || (n->attr && n->attr->numeric);
	if (next(p) == -1)
		goto bad;
	if (p->tok.t == T_IS) {
		if (parse_is_null(p, n) == -1)
			goto bad;
		return n;
	}
	if (p->tok.t == T_NOT) {
		neg = 1;
		if (next(p) == -1)
			goto bad;
		if (p->tok.t != T_IN) {
			fail(p, p->tok.off, "expected IN after NOT");
			goto bad;
		}
	}
	switch (p->tok.t) {
	case T_OP:
		n->op = p->tok.op;
		if (!numeric && n->op != OP_EQ && n->op != OP_NE) {
			fail(p, p->tok.off, "only =, !=, LIKE, ILIKE and IN "
			    "compare text");
			goto bad;
		}
		break;
	case T_LIKE:
	case T_ILIKE:
		n->op = p->tok.t == T_LIKE ? OP_LIKE : OP_ILIKE;
		if (numeric) {
			fail(p, p->tok.off, "LIKE compares text, not numbers");
			goto bad;
		}
		break;
	case T_IN:
		n->op = neg ? OP_NOTIN : OP_IN;
		if (numeric) {
			fail(p, p->tok.off, "IN compares text, not numbers");
			goto bad;
		}
		break;
	default:
		fail(p, p->tok.off, "expected a comparison operator");
		goto bad;
	}
	if (next(p) == -1)
		goto bad;
	if (n->op == OP_IN || n->op == OP_NOTIN) {
		if (p->tok.t != T_LP) {
			fail(p, p->tok.off, "expected ( after IN");
			goto bad;
		}
		do {
			if (next(p) == -1 || take_value(p, n) == -1)
				goto bad;
		} while (p->tok.t == T_COMMA);
		if (p->tok.t != T_RP) {
			fail(p, p->tok.off, "expected , or )");
			goto bad;
		}
		if (next(p) == -1)
			goto bad;
	} else if (take_value(p, n) == -1) {
		goto bad;
	}
	return n;
bad:
	node_free(n);
	return NULL;
}

static struct node *
parse_not(struct parser *p)
{
	struct node *n;

	if ((p->tok.t == T_NOT || p->tok.t == T_LP) &&
	    p->depth >= MAX_DEPTH) {
		fail(p, p->tok.off, "NOT and parentheses nested too deeply");
		return NULL;
	}
	if (p->tok.t == T_NOT) {
		if (next(p) == -1)
			return NULL;
		n = pp_xcalloc(1, sizeof(*n));
		n->type = N_NOT;
		p->depth++;
		n->l = parse_not(p);
		p->depth--;
		if (n->l == NULL) {
			node_free(n);
			return NULL;
		}
		return n;
	}
	if (p->tok.t == T_LP) {
		if (next(p) == -1)
			return NULL;
		p->depth++;
		n = parse_or(p);
		p->depth--;
		if (n == NULL)
			return NULL;
		if (p->tok.t != T_RP) {
			fail(p, p->tok.off, "expected )");
			node_free(n);
			return NULL;
		}
		if (next(p) == -1) {
			node_free(n);
			return NULL;
		}
		return n;
	}
	return parse_cmp(p);
}

/* One level of left-associative binary operators: AND over NOT, OR over
 * AND. */
static struct node *
parse_binary(struct parser *p, enum tok t, struct node *(*sub)(struct parser *))
{
	struct node *l = sub(p), *n;

	while (l != NULL && p->tok.t == t) {
		if (next(p) == -1) {
			node_free(l);
			return NULL;
		}
		n = pp_xcalloc(1, sizeof(*n));
		n->type = t == T_AND ? N_AND : N_OR;
		n->l = l;
		n->r = sub(p);
		if (n->r == NULL) {
			node_free(n);
			return NULL;
		}
		l = n;
	}
	return l;
}

static struct node *
parse_and(struct parser *p)
{
	return parse_binary(p, T_AND, parse_not);
}

static struct node *
parse_or(struct parser *p)
{
	return parse_binary(p, T_OR, parse_and);
}

static void
add_arg(struct pp_registry_filter *f, int is_num, double num, const char *text)
{
	struct pp_registry_filter_arg *a;

	pp_xgrow((void **)&f->args, &f->cap, f->nargs + 1, sizeof(*f->args));
	a = &f->args[f->nargs++];
	a->is_num = is_num;
	a->num = num;
	a->text = text ? pp_xstrdup(text) : NULL;
}

/*
 * LIKE is case-sensitive in MLflow but not in SQLite, so it is written as
 * GLOB: % becomes *, _ becomes ?, and GLOB's own *, ? and [ are bracketed
 * so they match themselves.
 */
static char *
like_to_glob(const char *like)
{
	struct pp_buf b = PP_BUF_INIT;

	for (; *like; like++) {
		switch (*like) {
		case '%': pp_buf_addc(&b, '*'); break;
		case '_': pp_buf_addc(&b, '?'); break;
		case '*': pp_buf_addstr(&b, "[*]"); break;
		case '?': pp_buf_addstr(&b, "[?]"); break;
		case '[': pp_buf_addstr(&b, "[[]"); break;
		default: pp_buf_addc(&b, *like); break;
		}
	}
	return pp_buf_detach(&b, NULL);
}

static void
emit_values(struct pp_registry_filter *f, const struct node *n)
{
	struct pp_buf *w = &f->where;
	size_t i;

	if (n->op == OP_IN || n->op == OP_NOTIN) {
		pp_buf_addc(w, '(');
		for (i = 0; i < n->nvals; i++) {
			pp_buf_addstr(w, i ? ", ?" : "?");
			add_arg(f, 0, 0, n->vals[i].text);
		}
		pp_buf_addc(w, ')');
	} else if (n->op == OP_LIKE && !f->pg) {
		char *g = like_to_glob(n->vals[0].text);

		pp_buf_addc(w, '?');
		add_arg(f, 0, 0, g);
		free(g);
	} else if (f->pg && (n->op == OP_LIKE || n->op == OP_ILIKE)) {
		pp_buf_addstr(w, "? ESCAPE ''");
		add_arg(f, 0, 0, n->vals[0].text);
	} else {
		pp_buf_addc(w, '?');
		add_arg(f, n->vals[0].t == T_NUM, n->vals[0].num,
		    n->vals[0].text);
	}
}

static void emit(struct pp_registry_filter *f, const struct node *n);

/* KEY IS [NOT] NULL: an attribute's column is NULL (or, for text, empty:
 * a run without a name stores either), a metric, param or tag is absent. */
static void
emit_null(struct pp_registry_filter *f, const struct node *n)
{
	static const char *const table[] = {
		"latest_metrics", "params", "tags"
	};
	int is_null = n->op == OP_ISNULL;

	if (n->ent == E_ATTR) {
		if (n->attr->numeric)
			pp_buf_addf(&f->where, "%s %s", n->attr->col,
			    op_sql[n->op]);
		else
			pp_buf_addf(&f->where, "coalesce(%s, '') %s ''",
			    n->attr->col, is_null ? "=" : "!=");
		return;
	}
	pp_buf_addf(&f->where, "%sEXISTS (SELECT 1 FROM %s x WHERE "
	    "x.run_id = r.run_id AND x.key = ?)", is_null ? "NOT " : "",
	    table[n->ent]);
	add_arg(f, 0, 0, n->key);
}

/* term[0..n) joined by op, as a tree of height O(log n) in the SQL:
 * SQLite refuses expressions deeper than 1000, and a flat chain of n
 * terms is n deep to it. */
static void
emit_chain(struct pp_registry_filter *f, const char *op, const struct node **term,
    size_t n)
{
	size_t i;

	pp_buf_addc(&f->where, '(');
	if (n <= 8) {
		for (i = 0; i < n; i++) {
			if (i > 0)
				pp_buf_addstr(&f->where, op);
			emit(f, term[i]);
		}
	} else {
		emit_chain(f, op, term, n / 2);
		pp_buf_addstr(&f->where, op);
		emit_chain(f, op, term + n / 2, n - n / 2);
	}
	pp_buf_addc(&f->where, ')');
}

static void
emit(struct pp_registry_filter *f, const struct node *n)
{
	struct pp_buf *w = &f->where;
	static const char *const table[] = {
		"latest_metrics", "params", "tags"
	};

	switch (n->type) {
	case N_AND:
	case N_OR: {
		/* A left-deep chain of one operator: its terms, flat, in
		 * order (the leftmost is at the bottom of the spine). */
		const struct node *c;
		size_t k = 0, nterm = 1;
		const struct node **term;

		for (c = n; c->type == n->type; c = c->l)
			nterm++;
		term = pp_xmalloc(nterm * sizeof(*term));
		for (c = n; c->type == n->type; c = c->l)
			term[nterm - 1 - k++] = c->r;
		term[0] = c;
		emit_chain(f, n->type == N_AND ? " AND " : " OR ", term,
		    nterm);
		free(term);
		return;
	}
	case N_NOT:
		pp_buf_addstr(w, "NOT ");
		emit(f, n->l);
		return;
	case N_CMP:
		break;
	}
	if (n->op == OP_ISNULL || n->op == OP_NOTNULL) {
		emit_null(f, n);
		return;
	}
	if (n->ent == E_ATTR) {
		pp_buf_addf(w, "%s %s ", n->attr->col, op_text(f, n->op));
	} else {
		pp_buf_addf(w, "EXISTS (SELECT 1 FROM %s x WHERE "
		    "x.run_id = r.run_id AND x.key = ? AND x.value %s ",
		    table[n->ent], op_text(f, n->op));
		add_arg(f, 0, 0, n->key);
	}
	emit_values(f, n);
	if (n->ent != E_ATTR)
		pp_buf_addc(w, ')');
}

int
pp_registry_filter_where(struct pp_registry_filter *f, const char *expr, struct pp_err *err)
{
	struct parser p = { expr ? expr : "", 0, { 0 }, err, 0, "filter" };
	struct node *root;

	pp_buf_reset(&f->where);
	if (next(&p) == -1)
		goto bad;
	if (p.tok.t == T_END)
		return 0;
	root = parse_or(&p);
	if (root == NULL)
		goto bad;
	if (p.tok.t != T_END) {
		fail(&p, p.tok.off, "expected AND, OR or the end");
		node_free(root);
		goto bad;
	}
	emit(f, root);
	node_free(root);
	token_clear(&p.tok);
	return 0;
bad:
	token_clear(&p.tok);
	return -1;
}

int
pp_registry_filter_order(struct pp_registry_filter *f, const char *spec, struct pp_err *err)
{
	struct parser p = { spec ? spec : "", 0, { 0 }, err, 0,
	    "order-by" };
	static const char *const table[] = {
		"latest_metrics", "params", "tags"
	};
	struct pp_buf col = PP_BUF_INIT;
	int desc = 0, keyed = 0;

	pp_buf_reset(&f->order);
	if (next(&p) == -1)
		goto bad;
	if (p.tok.t != T_KEY) {
		fail(&p, p.tok.off, "expected a key such as metrics.rmse");
		goto bad;
	}
	if (p.tok.ent == E_ATTR && p.tok.attr == NULL) {
		fail(&p, p.tok.off, "unknown attribute");
		goto bad;
	}
	if (p.tok.ent == E_ATTR) {
		pp_buf_addstr(&col, p.tok.attr->col);
	} else {
		pp_buf_addf(&col, "(SELECT x.value FROM %s x WHERE "
		    "x.run_id = r.run_id AND x.key = ?)", table[p.tok.ent]);
		add_arg(f, 0, 0, p.tok.text);
		keyed = 1;
	}
	if (next(&p) == -1)
		goto bad;
	if (p.tok.t == T_ASC || p.tok.t == T_DESC) {
		desc = p.tok.t == T_DESC;
		if (next(&p) == -1)
			goto bad;
	}
	if (p.tok.t != T_END) {
		fail(&p, p.tok.off, "expected ASC, DESC or the end");
		goto bad;
	}
	/* Missing values last either way, then a stable tie-break. */
	pp_buf_addf(&f->order, "%s IS NULL, %s%s, r.start_time DESC, r.run_id",
	    col.data, col.data, desc ? " DESC" : "");
	if (keyed)	/* the column appears twice: bind its key twice */
		add_arg(f, 0, 0, f->args[f->nargs - 1].text);
	pp_buf_release(&col);
	token_clear(&p.tok);
	return 0;
bad:
	pp_buf_release(&col);
	token_clear(&p.tok);
	return -1;
}

void
pp_registry_filter_release(struct pp_registry_filter *f)
{
	size_t i;

	pp_buf_release(&f->where);
	pp_buf_release(&f->order);
	for (i = 0; i < f->nargs; i++)
		free(f->args[i].text);
	free(f->args);
	f->args = NULL;
	f->nargs = f->cap = 0;
}
