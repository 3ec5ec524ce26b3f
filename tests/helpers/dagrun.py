#!/usr/bin/env python3
"""dagrun.py: run an Airflow DAG file's BashOperator tasks, for tests.

THIS IS A TEST RUNNER, NOT AIRFLOW.  Airflow is not packaged for Debian,
so the tests cannot run a DAG the real way.  This reads the DAG file with
Python's ast module (it never imports it, so Airflow need not be
installed), finds the BashOperator(...) tasks and the `a >> b` edges, and
runs each task's bash_command with bash in dependency order, as one DAG
run for one date would, reproducing the few BashOperator rules the
examples rely on:

  - templates: {{ ds }}, {{ ds_nodash }}, {{ macros.ds_add(ds, N) }} and
    {{ ti.xcom_pull(task_ids='T') }}; any other template is an error, so a
    DAG that needs more fails here instead of passing untested;
  - XCom: the last line of a task's stdout, unless do_xcom_push=False;
  - exit status: 0 success; one in skip_on_exit_code (default 99) skipped;
    anything else failed;
  - trigger rule all_success: a task runs only when every upstream task
    succeeded; after a skipped one it is skipped, after a failed one
    upstream_failed;
  - env=: the task's environment (with append_env=True, added to ours).

Not reproduced: schedules, retries on their own (--retry TASK runs a task
a second time, as a retry after a lost worker would), pools, sensors,
other operators, Jinja beyond the templates above.  bash_command must be
made of string literals, module-level string constants and +.

usage: dagrun.py DAG_FILE --ds YYYY-MM-DD [--retry TASK]... [--list]

Prints "TASK STATE" per task in the order run (stdout of the tasks goes to
stderr, so stdout is the summary); exits 0 when no task failed, 1 when
one did, 2 on a DAG this runner cannot read.
"""
import argparse
import ast
import datetime
import os
import re
import subprocess
import sys


class DagError(Exception):
    pass


def value(node, consts):
    """The value of a literal, a constant's name, or + of strings."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name) and node.id in consts:
        return consts[node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return value(node.left, consts) + value(node.right, consts)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [value(e, consts) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {value(k, consts): value(v, consts)
                for k, v in zip(node.keys, node.values)}
    raise DagError("line %d: not a literal this runner can read"
                   % node.lineno)


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
                isinstance(node.value.value, str):
            consts[var] = node.value.value
        elif isinstance(node.value, ast.Call) and \
                is_bash_operator(node.value):
            kw = {k.arg: k.value for k in node.value.keywords}
            task = {
                "var": var,
                "task_id": value(kw["task_id"], consts),
                "bash_command": value(kw["bash_command"], consts),
                "do_xcom_push": value(kw["do_xcom_push"], consts)
                if "do_xcom_push" in kw else True,
                "skip": value(kw["skip_on_exit_code"], consts)
                if "skip_on_exit_code" in kw else 99,
                "env": value(kw["env"], consts) if "env" in kw else None,
                "append_env": value(kw["append_env"], consts)
                if "append_env" in kw else False,
            }
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


def render(cmd, ds, xcom):
    """Substitute the templates the runner knows; refuse the others."""
    def one(m):
        expr = m.group(1)
        if expr == "ds":
            return ds
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


def run_task(task, ds, xcom):
    """Run one try; return its state, setting xcom[task_id]."""
    cmd = render(task["bash_command"], ds, xcom)
    env = None
    if task["env"] is not None:
        env = dict(os.environ) if task["append_env"] else {}
        env.update(task["env"])
    print("dagrun: %s: %s" % (task["task_id"], cmd), file=sys.stderr)
    p = subprocess.run(["bash", "-c", cmd], env=env, stdout=subprocess.PIPE)
    sys.stderr.write(p.stdout.decode(errors="replace"))
    if p.returncode == 0:
        lines = p.stdout.decode().rstrip("\n").split("\n")
        if task["do_xcom_push"] and lines != [""]:
            xcom[task["task_id"]] = lines[-1]
        return "success"
    if p.returncode in task["skip"]:
        return "skipped"
    return "failed"


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
            elif any(s == "skipped" for s in up):
                state[i] = "skipped"
            else:
                state[i] = run_task(by_id[i], a.ds, xcom)
                if state[i] == "success" and i in a.retry:
                    state[i] = run_task(by_id[i], a.ds, xcom)
            print("%s %s" % (i, state[i]))
            if i in xcom:
                print("%s xcom %s" % (i, xcom[i]))
    except (DagError, KeyError, ValueError, SyntaxError) as e:
        print("dagrun: %s" % e, file=sys.stderr)
        return 2
    return 1 if any(s in ("failed", "upstream_failed")
                    for s in state.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
