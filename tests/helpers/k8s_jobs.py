#!/usr/bin/env python3
"""k8s_jobs.py: examples/k8s (the Indexed Job fan-out) for the tests.

  k8s_jobs.py check DIR VERSION
      Check the manifests against each other, the scripts they run and
      DIR/README.md: every problem is `k8s_jobs: FILE: what` on stderr and
      the status 1; with none, `DIR: N checks passed` on stdout.
  k8s_jobs.py script DIR KEY
      Print the ConfigMap's script KEY (shard.sh, train.sh).
  k8s_jobs.py configmap DIR [KEY=VALUE...]
      Print the ConfigMap with those keys replaced, for podman kube play
      --configmap.
  k8s_jobs.py pod DIR JOB NAME IMAGE CLAIM [INDEX]
      Print the Job's pod template as a Pod named NAME, the image and the
      claim replaced, and for an Indexed Job JOB_COMPLETION_INDEX=INDEX in
      its containers' environment, as Kubernetes sets it: podman kube play
      runs Pods, not Jobs.
  k8s_jobs.py secret KEY=VALUE...
      Print a secret's data as podman 4.3's kube play reads it for
      secretKeyRef: a JSON object of base64 values.
"""
import base64
import copy
import json
import os
import re
import sys

import yaml

problems = []
checks = 0


def check(ok, where, what):
    global checks
    checks += 1
    if not ok:
        problems.append(f"k8s_jobs: {where}: {what}")


def load(d):
    """Every document of every .yaml file in d, by kind and name."""
    out = {}
    for f in sorted(os.listdir(d)):
        if f.endswith(".yaml"):
            for doc in yaml.safe_load_all(open(os.path.join(d, f))):
                out[(doc["kind"], doc["metadata"]["name"])] = (f, doc)
    return out


def find(docs, kind):
    return [(f, d) for (k, _), (f, d) in docs.items() if k == kind]


def container(job):
    return job["spec"]["template"]["spec"]["containers"][0]


def env_of(c):
    return {e["name"]: e for e in c.get("env", [])}


def script_of(cm, job):
    """The ConfigMap key the Job's command runs, from its mount."""
    c = container(job)
    cmd = c["command"]
    path = cmd[-1]
    for m in c["volumeMounts"]:
        if path.startswith(m["mountPath"] + "/"):
            vol = [v for v in job["spec"]["template"]["spec"]["volumes"]
                   if v["name"] == m["name"]][0]
            if "configMap" in vol:
                key = path[len(m["mountPath"]) + 1:]
                return key, cm["data"].get(key)
    return None, None


def check_all(d, version):
    docs = load(d)
    cms = find(docs, "ConfigMap")
    jobs = find(docs, "Job")
    pvcs = find(docs, "PersistentVolumeClaim")
    check(len(cms) == 1 and len(jobs) == 2 and len(pvcs) == 1, d,
          "want one ConfigMap, two Jobs and one PersistentVolumeClaim")
    if problems:
        return
    cmfile, cm = cms[0]
    pvcfile, pvc = pvcs[0]
    check("ReadWriteMany" in pvc["spec"]["accessModes"], pvcfile,
          "pods on many nodes write it: want ReadWriteMany")
    indexed = [(f, j) for f, j in jobs
               if j["spec"].get("completionMode") == "Indexed"]
    check(len(indexed) == 1, d, "want one Job with completionMode Indexed")
    if problems:
        return
    sfile, shards = indexed[0]
    tfile, train = [(f, j) for f, j in jobs if j is not shards][0]
    n = cm["data"].get("PP_SHARDS")
    spec = shards["spec"]
    check(str(spec.get("completions")) == n, sfile,
          f"completions {spec.get('completions')} but PP_SHARDS {n}")
    check(1 <= spec.get("parallelism", 1) <= spec.get("completions", 1),
          sfile, "parallelism not within 1 to completions")
    for f, job in ((sfile, shards), (tfile, train)):
        name = job["metadata"]["name"]
        pod = job["spec"]["template"]["spec"]
        c = container(job)
        check(pod["restartPolicy"] in ("Never", "OnFailure"), f,
              f"{name}: restartPolicy {pod['restartPolicy']}")
        check(c["image"] == f"pattern-pursuit:{version}", f,
              f"{name}: image {c['image']}, not pattern-pursuit:{version}")
        check(pod["securityContext"].get("runAsNonRoot") is True and
              c["securityContext"].get("readOnlyRootFilesystem") is True,
              f, f"{name}: not non-root on a read-only root")
        check({"configMapRef": {"name": cm["metadata"]["name"]}}
              in c.get("envFrom", []), f,
              f"{name}: no envFrom the ConfigMap")
        claims = [v["persistentVolumeClaim"]["claimName"]
                  for v in pod["volumes"] if "persistentVolumeClaim" in v]
        check(claims == [pvc["metadata"]["name"]], f,
              f"{name}: claims {claims}, not {pvc['metadata']['name']}")
        key, text = script_of(cm, job)
        check(text is not None, f, f"{name}: runs no script of "
              f"{cmfile}'s ConfigMap")
        job["script"] = text or ""
    s = shards["script"]
    check(re.search(r'--shard "\$JOB_COMPLETION_INDEX/\$PP_SHARDS"', s)
          is not None, sfile, "shard.sh: no --shard "
          "\"$JOB_COMPLETION_INDEX/$PP_SHARDS\"")
    # The caveat: cross-sections need every symbol of a date (comments
    # may say so).
    code = re.sub(r"(?m)^\s*#.*$", "", s)
    check(re.search(r"\bcs_\w+\(|\bref\(", code) is None, sfile,
          "shard.sh computes cs_* or ref() on one shard")
    check(re.search(r"\bcs_\w+\(|\bref\(", train["script"]) is not None,
          tfile, "train.sh computes no cross-sectional feature")
    check("PP_REGISTRY" not in env_of(container(shards)) and
          "PP_REGISTRY" not in s, sfile, "the shards touch the registry")
    reg = env_of(container(train)).get("PP_REGISTRY", {})
    ref = reg.get("valueFrom", {}).get("secretKeyRef")
    check(ref is not None, tfile, "PP_REGISTRY is not from a Secret")
    readme = os.path.join(d, "README.md")
    text = open(readme).read()
    made = re.findall(r"^kubectl create secret generic (\S+) "
                      r"--from-literal=(\w+)=", text, re.M)
    check(ref is not None and made == [(ref["name"], ref["key"])], readme,
          f"makes Secret {made}, {tfile} reads {ref}")
    check("cs_" in text and "ref()" in text, readme,
          "says nothing of cs_* and ref()")


def pod(d, job_name, name, image, claim, index):
    docs = load(d)
    _, job = docs[("Job", job_name)]
    spec = copy.deepcopy(job["spec"]["template"]["spec"])
    for c in spec["containers"]:
        c["image"] = image
        if job["spec"].get("completionMode") == "Indexed":
            c.setdefault("env", []).append(
                {"name": "JOB_COMPLETION_INDEX", "value": str(index)})
    for v in spec["volumes"]:
        if "persistentVolumeClaim" in v:
            v["persistentVolumeClaim"]["claimName"] = claim
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name,
                         "labels": job["spec"]["template"]["metadata"]
                         .get("labels", {})},
            "spec": spec}


def pairs(args):
    return dict(a.split("=", 1) for a in args)


def main(argv):
    if len(argv) >= 4 and argv[1] == "check":
        check_all(argv[2], argv[3])
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            return 1
        print(f"{argv[2]}: {checks} checks passed")
        return 0
    if len(argv) == 4 and argv[1] == "script":
        cm = find(load(argv[2]), "ConfigMap")[0][1]
        sys.stdout.write(cm["data"][argv[3]])
        return 0
    if len(argv) >= 3 and argv[1] == "configmap":
        cm = find(load(argv[2]), "ConfigMap")[0][1]
        cm["data"].update(pairs(argv[3:]))
        yaml.safe_dump(cm, sys.stdout, sort_keys=False)
        return 0
    if len(argv) in (7, 8) and argv[1] == "pod":
        yaml.safe_dump(pod(argv[2], argv[3], argv[4], argv[5], argv[6],
                           argv[7] if len(argv) == 8 else None),
                       sys.stdout, sort_keys=False)
        return 0
    if len(argv) >= 3 and argv[1] == "secret":
        print(json.dumps({k: base64.b64encode(v.encode()).decode()
                          for k, v in pairs(argv[2:]).items()}))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
