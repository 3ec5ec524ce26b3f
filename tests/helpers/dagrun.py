#!/usr/bin/env python3
"""dagrun.py: run an Airflow DAG file's BashOperator tasks, for tests.

THIS IS A TEST RUNNER, NOT AIRFLOW.  Airflow is not packaged for Debian,
so the tests cannot run a DAG the real way.  This reads the DAG file with
Python's ast module (it never imports it, so Airflow need not be
installed), finds the BashOperator(...) tasks and the `a >> b` edges, and
runs each task's bash_command with bash in dependency order, as one DAG
run for one date would, reproducing the few BashOperator rules the
examples rely on:

  - templates: {{ ds }}, {{ ds_nodash }}, {{ macros.ds_add(ds, N) }},
    {{ ti.xcom_pull(task_ids='T') }}, {{ ti.map_index }} and
    {{ var.value.NAME }} (from the environment variable AIRFLOW_VAR_NAME,
    where Airflow looks first; a missing one fails the task), in
    bash_command and env; any other template is an error, so a DAG that
    needs more fails here instead of passing untested;
  - dynamic task mapping: BashOperator.partial(...).expand(KW=LIST) runs
    one instance per element of LIST (the cross product for several KWs),
    printed as TASK[I]; the mapped task succeeded when every instance did,
    failed when one did, and was skipped when all were; {{ ti.map_index }}
    is I (-1 in a task that is not mapped);
  - XCom: the last line of a task's stdout, unless do_xcom_push=False;
  - exit status: 0 success; one in skip_on_exit_code (default 99) skipped;
    anything else failed;
  - trigger rule all_success: a task runs only when every upstream task
    succeeded; after a skipped one it is skipped, after a failed one
    upstream_failed;
  - env=: the task's environment (with append_env=True, added to ours).

Not reproduced: schedules, retries on their own (--retry TASK runs a task
a second time, as a retry after a lost worker would), pools, sensors,
other operators, Jinja beyond the templates above, XCom of mapped
tasks.  bash_command must be made of string literals, module-level string
and integer constants, + and str(); an expand list may also be a
comprehension [EXPR for NAME in range(N)] whose EXPR uses NAME, those
constants, dicts and "fmt" % (args).

usage: dagrun.py DAG_FILE --ds YYYY-MM-DD [--retry TASK]... [--list]

Prints "TASK STATE" per task in the order run (stdout of the tasks goes to
stderr, so stdout is the summary); exits 0 when no task failed, 1 when
one did, 2 on a DAG this runner cannot read.
"""
import argparse
import ast
import datetime
import itertools
import os
import re
import subprocess
import sys


class DagError(Exception):
    pass


def value(node, consts):
    """The value of a literal, a constant's name, + of strings, "fmt" %
    args, str(x), or [EXPR for NAME in range(N)]."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name) and node.id in consts:
        return consts[node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return value(node.left, consts) + value(node.right, consts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        fmt, args = value(node.left, consts), value(node.right, consts)
        if isinstance(fmt, str):
            return fmt % (tuple(args) if isinstance(args, list) else args)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id == "str" and len(node.args) == 1 \
            and not node.keywords:
        return str(value(node.args[0], consts))
    if isinstance(node, (ast.List, ast.Tuple)):
        return [value(e, consts) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {value(k, consts): value(v, consts)
                for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.ListComp) and len(node.generators) == 1:
        return comprehension(node, consts)
    raise DagError("line %d: not a literal this runner can read"
                   % node.lineno)


def comprehension(node, consts):
    """[EXPR for NAME in range(N)], nothing more (no if, no nesting)."""
    g = node.generators[0]
    it = g.iter
    if g.ifs or not isinstance(g.target, ast.Name) \
            or not isinstance(it, ast.Call) \
            or not isinstance(it.func, ast.Name) or it.func.id != "range" \
            or len(it.args) != 1:
        raise DagError("line %d: a comprehension other than [... for NAME "
                       "in range(N)]" % node.lineno)
    n = value(it.args[0], consts)
    return [value(node.elt, dict(consts, **{g.target.id: i}))
            for i in range(n)]


def operator_call(call):
    """The keywords of BashOperator(...), or of BashOperator.partial(...)
    .expand(...) with the expanded ones apart; None for other calls."""
    f = call.func
    if isinstance(f, ast.Attribute) and f.attr == "expand" \
            and isinstance(f.value, ast.Call):
        inner = f.value
        if isinstance(inner.func, ast.Attribute) \
                and inner.func.attr == "partial" \
                and is_bash_operator_name(inner.func.value):
            return ({k.arg: k.value for k in inner.keywords},
                    {k.arg: k.value for k in call.keywords})
        return None
    if is_bash_operator(call):
        return {k.arg: k.value for k in call.keywords}, {}
    return None


def is_bash_operator_name(node):
    name = node.attr if isinstance(node, ast.Attribute) \
        else getattr(node, "id", "")
    return name == "BashOperator"


def is_bash_operator(call):
    f = call.func
    name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
    return name == "BashOperator"


def chain(node, names):
    """The task variables of one side of >>: a name or a list of names."""
    if isinstance(node, ast.Name):
        return [names[node.id]]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [names[e.id] for e in node.elts]
    raise DagError("line %d: >> between things that are not tasks"
                   % node.lineno)


def edges_of(expr, names, edges):
    """Collect a >> b >> c (and <<) into edges; return the rightmost side."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op,
                                                  (ast.RShift, ast.LShift)):
        left = edges_of(expr.left, names, edges)
        right = chain(expr.right, names)
        for a in left:
            for b in right:
                edges.append((a, b) if isinstance(expr.op, ast.RShift)
                             else (b, a))
        return right
    return chain(expr, names)


def read_dag(path):
    """Tasks (dicts, in file order) and edges (upstream, downstream)."""
    tree = ast.parse(open(path).read(), path)
    consts, names, tasks, edges = {}, {}, [], []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1 \
                or not isinstance(node.targets[0], ast.Name):
            continue
        var = node.targets[0].id
        if isinstance(node.value, ast.Constant) and \
                isinstance(node.value.value, (str, int)):
            consts[var] = node.value.value
        elif isinstance(node.value, (ast.Dict, ast.BinOp)):
            try:  # DAY + "/x", {"K": "V"}: constants made of constants
                consts[var] = value(node.value, consts)
            except DagError:
                pass
        elif isinstance(node.value, ast.Call) and \
                operator_call(node.value) is not None:
            kw, expand = operator_call(node.value)
            task = {
                "var": var,
                "task_id": value(kw["task_id"], consts),
                "bash_command": value(kw["bash_command"], consts)
                if "bash_command" in kw else None,
                "do_xcom_push": value(kw["do_xcom_push"], consts)
                if "do_xcom_push" in kw else True,
                "skip": value(kw["skip_on_exit_code"], consts)
                if "skip_on_exit_code" in kw else 99,
                "env": value(kw["env"], consts) if "env" in kw else None,
                "append_env": value(kw["append_env"], consts)
                if "append_env" in kw else False,
                "expand": {k: value(v, consts) for k, v in expand.items()},
            }
            for k, v in task["expand"].items():
                if not isinstance(v, list):
                    raise DagError("%s: expand(%s=...) is not a list"
                                   % (task["task_id"], k))
            if task["bash_command"] is None and \
                    "bash_command" not in task["expand"]:
                raise DagError("%s: no bash_command" % task["task_id"])
            if not isinstance(task["skip"], list):
                task["skip"] = [task["skip"]]
            names[var] = task["task_id"]
            tasks.append(task)
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.BinOp):
            edges_of(node.value, names, edges)
    if not tasks:
        raise DagError("%s: no BashOperator tasks" % path)
    return tasks, edges


def order(tasks, edges):
    """Task ids in dependency order (Kahn), ties in file order."""
    ids = [t["task_id"] for t in tasks]
    ups = {i: {a for a, b in edges if b == i} for i in ids}
    done, out = set(), []
    while len(out) < len(ids):
        ready = [i for i in ids if i not in done and ups[i] <= done]
        if not ready:
            raise DagError("the tasks' dependencies form a cycle")
        out.append(ready[0])
        done.add(ready[0])
    return out, ups


TEMPLATE = re.compile(r"\{\{\s*(.*?)\s*\}\}")


class MissingVariable(Exception):
    pass


def render(cmd, ds, xcom, map_index=-1):
    """Substitute the templates the runner knows; refuse the others."""
    def one(m):
        expr = m.group(1)
        if expr == "ds":
            return ds
        if expr == "ti.map_index":
            return str(map_index)
        m2 = re.fullmatch(r"var\.value\.(\w+)", expr)
        if m2:
            name = "AIRFLOW_VAR_" + m2.group(1).upper()
            if name not in os.environ:
                raise MissingVariable("Variable %s does not exist (set %s)"
                                      % (m2.group(1), name))
            return os.environ[name]
        if expr == "ds_nodash":
            return ds.replace("-", "")
        m2 = re.fullmatch(r"macros\.ds_add\(\s*ds\s*,\s*(-?\d+)\s*\)", expr)
        if m2:
            d = datetime.date.fromisoformat(ds)
            return (d + datetime.timedelta(days=int(m2.group(1)))).isoformat()
        m2 = re.fullmatch(r"ti\.xcom_pull\(\s*task_ids\s*=\s*['\"]([^'\"]+)"
                          r"['\"]\s*\)", expr)
        if m2:
            # Airflow renders a missing XCom as "None".
            return xcom.get(m2.group(1), "None")
        raise DagError("template {{ %s }}: not one this runner knows" % expr)
    return TEMPLATE.sub(one, cmd)


def label(task):
    """TASK, or TASK[I] for instance I of a mapped task."""
    if task["map_index"] < 0:
        return task["task_id"]
    return "%s[%d]" % (task["task_id"], task["map_index"])


def instances(task):
    """The task's instances: (label, fields) per map index, or the task
    itself when it is not mapped."""
    if not task["expand"]:
        return [(task["task_id"], dict(task, map_index=-1))]
    keys = list(task["expand"])
    out = []
    for i, vals in enumerate(itertools.product(*(task["expand"][k]
                                                 for k in keys))):
        t = dict(task, map_index=i)
        t.update(zip(keys, vals))
        out.append((label(t), t))
    return out


def run_task(task, ds, xcom):
    """Run one try; return its state, setting xcom[task_id]."""
    try:
        cmd = render(task["bash_command"], ds, xcom, task["map_index"])
        env = None
        if task["env"] is not None:
            env = dict(os.environ) if task["append_env"] else {}
            env.update({k: render(v, ds, xcom, task["map_index"])
                        for k, v in task["env"].items()})
    except MissingVariable as e:
        print("dagrun: %s: %s" % (label(task), e), file=sys.stderr)
        return "failed"
    print("dagrun: %s: %s" % (label(task), cmd), file=sys.stderr)
    p = subprocess.run(["bash", "-c", cmd], env=env, stdout=subprocess.PIPE)
    sys.stderr.write(p.stdout.decode(errors="replace"))
    if p.returncode == 0:
        lines = p.stdout.decode().rstrip("\n").split("\n")
        if task["do_xcom_push"] and lines != [""] and task["map_index"] < 0:
            xcom[task["task_id"]] = lines[-1]
        return "success"
    if p.returncode in task["skip"]:
        return "skipped"
    return "failed"


def run_mapped(task, ds, xcom, retry):
    """Run every instance of a task, printing each one's state; return
    the task's state."""
    states = []
    for label, t in instances(task):
        st = run_task(t, ds, xcom)
        if st == "success" and retry:
            st = run_task(t, ds, xcom)
        print("%s %s" % (label, st))
        states.append(st)
    if "failed" in states:
        return "failed"
    if all(s == "skipped" for s in states):
        return "skipped"
    return "success"


def main():
    ap = argparse.ArgumentParser(description="Run a DAG file's "
                                 "BashOperators in order (a test runner, "
                                 "not Airflow).")
    ap.add_argument("dag")
    ap.add_argument("--ds", required=True)
    ap.add_argument("--retry", action="append", default=[],
                    help="run TASK a second time after it succeeds")
    ap.add_argument("--list", action="store_true",
                    help="print the task ids in order and exit")
    a = ap.parse_args()
    try:
        datetime.date.fromisoformat(a.ds)
        tasks, edges = read_dag(a.dag)
        ids, ups = order(tasks, edges)
        if a.list:
            print("\n".join(ids))
            return 0
        by_id = {t["task_id"]: t for t in tasks}
        state, xcom = {}, {}
        for i in ids:
            up = [state[u] for u in ups[i]]
            if any(s in ("failed", "upstream_failed") for s in up):
                state[i] = "upstream_failed"
                print("%s %s" % (i, state[i]))
            elif any(s == "skipped" for s in up):
                state[i] = "skipped"
                print("%s %s" % (i, state[i]))
            else:
                state[i] = run_mapped(by_id[i], a.ds, xcom, i in a.retry)
            if i in xcom:
                print("%s xcom %s" % (i, xcom[i]))
    except (DagError, KeyError, ValueError, SyntaxError) as e:
        print("dagrun: %s" % e, file=sys.stderr)
        return 2
    return 1 if any(s in ("failed", "upstream_failed")
                    for s in state.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
