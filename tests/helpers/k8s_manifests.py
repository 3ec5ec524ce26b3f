#!/usr/bin/env python3
"""k8s_manifests.py DIR PP-SERVE MAN-PAGE README: check deploy/k8s against
the programs it runs, so that the manifests cannot drift from them.

Every problem is printed as `k8s_manifests: FILE: what` on stderr and the
status is 1; with none, `deploy/k8s: N checks passed` on stdout and 0.
What is checked: the kinds present; the Deployment's arguments are
pp-serve options (from PP-SERVE --help) and its --listen port the
container's port, which the probes and the Service use; the probe paths
are endpoints PP-SERVE's man page documents; the grace period covers
preStop's sleep plus --drain-timeout; the HPA scales the Deployment,
which requests CPU; the volume claims name the PVC; the CronJob never
overlaps itself and runs the ConfigMap's script where it is mounted; both
images are pattern-pursuit:VERSION; both run as non-root on a read-only
root; the Secret the README makes is the one mounted where --api-keys
reads.
"""
import os
import re
import subprocess
import sys

import yaml

problems = []
checks = 0


def check(ok, where, what):
    global checks
    checks += 1
    if not ok:
        problems.append(f"k8s_manifests: {where}: {what}")


def seconds(duration):
    """pp-serve's DURATION (ms, s, min, h; default s) in seconds."""
    m = re.fullmatch(r"([0-9.]+)(ms|s|min|h)?", duration)
    if not m:
        return None
    scale = {"ms": 0.001, "s": 1, "min": 60, "h": 3600, None: 1}[m.group(2)]
    return float(m.group(1)) * scale


def main():
    if len(sys.argv) != 5:
        print("usage: k8s_manifests.py DIR PP-SERVE MAN-PAGE README",
              file=sys.stderr)
        return 2
    top, serve, man, readme = sys.argv[1:]
    docs = {}
    for name in sorted(os.listdir(top)):
        if name.endswith(".yaml"):
            with open(os.path.join(top, name)) as f:
                for doc in yaml.safe_load_all(f):
                    docs[doc["kind"]] = (name, doc)
    check(sorted(docs) == ["ConfigMap", "CronJob", "Deployment",
                           "HorizontalPodAutoscaler",
                           "PersistentVolumeClaim", "Service"],
          top, f"kinds {sorted(docs)}")
    helptext = subprocess.run([serve, "--help"], capture_output=True,
                              text=True, check=True).stdout
    mantext = open(man).read()
    version = subprocess.run([serve, "--version"], capture_output=True,
                             text=True, check=True).stdout.split()[-1]

    dfile, dep = docs["Deployment"]
    pod = dep["spec"]["template"]["spec"]
    c = pod["containers"][0]
    args = c["args"]
    check(args[0] == "serve", dfile, f"args start {args[0]!r}, not serve")
    opts = {}
    i = 1
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            m = re.search(r"^\s+(-., )?" + re.escape(a) + r"( (\S+))?",
                          helptext, re.M)
            check(m is not None, dfile, f"{a} is not a pp-serve option")
            if m and m.group(3):
                opts[a] = args[i + 1]
                i += 1
            else:
                opts[a] = True
        else:
            check(False, dfile, f"argument {a!r} is not an option")
        i += 1
    listen = opts.get("--listen", "")
    port = int(listen.rpartition(":")[2] or 0)
    ports = {p.get("name"): p["containerPort"] for p in c["ports"]}
    check(listen.startswith("0.0.0.0:"), dfile,
          f"--listen {listen!r}: not every address")
    check(ports.get("http") == port, dfile,
          f"port http {ports.get('http')} but --listen {listen}")
    for probe, path in (("readinessProbe", "/v2/health/ready"),
                        ("livenessProbe", "/v2/health/live")):
        get = c[probe]["httpGet"]
        check(get["path"] == path, dfile, f"{probe} asks {get['path']}")
        check(f".It Li GET {get['path']}\n" in mantext, dfile,
              f"{probe}: {get['path']} is not in pp-serve(1)")
        check(get["port"] in ("http", port), dfile,
              f"{probe} port {get['port']}")
    drain = seconds(opts.get("--drain-timeout", ""))
    check(drain is not None, dfile, "no --drain-timeout")
    pre = c["lifecycle"]["preStop"]["exec"]["command"]
    check(pre[0] == "sleep", dfile, f"preStop {pre}")
    grace = pod["terminationGracePeriodSeconds"]
    if drain is not None and pre[0] == "sleep":
        check(grace >= float(pre[1]) + drain, dfile,
              f"grace {grace}s < preStop {pre[1]}s + drain {drain}s")
    check("cpu" in c["resources"]["requests"], dfile,
          "no CPU request (the HPA needs one)")
    check("memory" in c["resources"]["limits"], dfile, "no memory limit")

    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    vols = {v["name"]: v for v in pod["volumes"]}
    keys = opts.get("--api-keys", "")
    secret = None
    for name, v in vols.items():
        if "secret" in v:
            secret = v["secret"]["secretName"]
            check(keys == mounts[name] + "/keys.txt", dfile,
                  f"--api-keys {keys} but the Secret is at {mounts[name]}")
    check(secret is not None, dfile, "no Secret volume")
    made = re.findall(r"^kubectl create secret generic (\S+) "
                      r"--from-file=keys\.txt$", open(readme).read(), re.M)
    check(made == [secret], readme,
          f"makes Secret {made}, the Deployment mounts {secret}")

    pfile, pvc = docs["PersistentVolumeClaim"]
    cfile, cron = docs["CronJob"]
    cpod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    cc = cpod["containers"][0]
    for f, p, cont in ((dfile, pod, c), (cfile, cpod, cc)):
        claims = [v["persistentVolumeClaim"]["claimName"]
                  for v in p["volumes"] if "persistentVolumeClaim" in v]
        check(claims == [pvc["metadata"]["name"]], f,
              f"claims {claims}, the PVC is {pvc['metadata']['name']}")
        check(cont["image"] == f"pattern-pursuit:{version}", f,
              f"image {cont['image']}, not pattern-pursuit:{version}")
        check(p["securityContext"].get("runAsNonRoot") is True, f,
              "runAsNonRoot is not true")
        check(cont["securityContext"].get("readOnlyRootFilesystem") is True,
              f, "readOnlyRootFilesystem is not true")
        env = {e["name"]: e.get("value") for e in cont.get("env", [])}
        check(env.get("PP_REGISTRY", "").startswith(
              dict((m["name"], m["mountPath"])
                   for m in cont["volumeMounts"])["data"] + "/"),
              f, "PP_REGISTRY is not on the registry volume")

    check(cron["spec"]["concurrencyPolicy"] == "Forbid", cfile,
          "concurrencyPolicy is not Forbid (SQLite: one writer)")
    mfile, cm = docs["ConfigMap"]
    check("daily.sh" in cm["data"], mfile, "no daily.sh")
    cmounts = {m["name"]: m["mountPath"] for m in cc["volumeMounts"]}
    script = None
    for name, v in {v["name"]: v for v in cpod["volumes"]}.items():
        if "configMap" in v and v["configMap"]["name"] == cm["metadata"]["name"]:
            for item in v["configMap"]["items"]:
                if item["key"] == "daily.sh":
                    script = cmounts[name] + "/" + item["path"]
    check(cc["command"] == ["sh", script], cfile,
          f"runs {cc['command']}, daily.sh is at {script}")
    refs = [e["configMapRef"]["name"] for e in cc.get("envFrom", [])]
    check(refs == [cm["metadata"]["name"]], cfile, f"envFrom {refs}")

    sfile, svc = docs["Service"]
    tmpl = dep["spec"]["template"]["metadata"]["labels"]
    check(all(tmpl.get(k) == v for k, v in svc["spec"]["selector"].items()),
          sfile, "selector does not match the Deployment's pods")
    check([p["targetPort"] for p in svc["spec"]["ports"]] == ["http"], sfile,
          "targetPort is not the pods' port http")
    hfile, hpa = docs["HorizontalPodAutoscaler"]
    ref = hpa["spec"]["scaleTargetRef"]
    check((ref["kind"], ref["name"]) == ("Deployment", dep["metadata"]["name"]),
          hfile, f"scales {ref['kind']} {ref['name']}")
    check([m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"],
          hfile, "not scaled on CPU")

    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    print(f"deploy/k8s: {checks} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
