#!/usr/bin/env python3
"""Recall on a peer's published rule examples: which services sealant detects.

Reads Kingfisher's rule files (data/rules/*.yml, each rule with `examples` and some with
`negative_examples`) from a clone or bare mirror of github.com/mongodb/kingfisher, writes each
example to its own file, scans them all with sealant in one run, and prints per service (a
rule file, `_v2`-style suffixes joined) how many examples a finding at low or above was
reported for. A service counts as detected when at least half its examples are found;
covered-family recall is the share of examples found among services sealant detects at all.
Nothing of the peer is copied into sealant: the examples are read at run time, as test data.

usage: scripts/peer-recall.py KINGFISHER_REPO [SEALANT_BINARY] [--services a,b,c] [--misses]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

SEVERE = {"low", "medium", "high", "critical"}


def rule_files(repo):
    git = ["git", "-C", repo]
    names = subprocess.run(git + ["ls-tree", "-r", "--name-only", "HEAD", "data/rules/"],
                           capture_output=True, text=True, check=True).stdout.split()
    for name in names:
        if name.endswith((".yml", ".yaml")):
            text = subprocess.run(git + ["show", f"HEAD:{name}"], capture_output=True,
                                  text=True, check=True).stdout
            yield name, text


def service_of(path):
    stem = os.path.basename(path).rsplit(".", 1)[0]
    return re.sub(r"_v\d+$", "", stem)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    opts = {a.split("=")[0]: (a.split("=", 1) + [""])[1] for a in sys.argv[1:] if a.startswith("--")}
    repo = args[0]
    binary = os.path.abspath(args[1] if len(args) > 1 else "target/release/sealant")
    only = set(filter(None, opts.get("--services", "").split(",")))
    examples = {}  # service -> list of (kind, text)
    for name, text in rule_files(repo):
        svc = service_of(name)
        if only and svc not in only:
            continue
        try:
            doc = yaml.safe_load(text) or {}
        except yaml.YAMLError:
            continue
        for rule in doc.get("rules", []) or []:
            for ex in rule.get("examples", []) or []:
                examples.setdefault(svc, []).append(("pos", str(ex)))
            for ex in rule.get("negative_examples", []) or []:
                examples.setdefault(svc, []).append(("neg", str(ex)))
    with tempfile.TemporaryDirectory() as tmp:
        where = {}
        for svc, exs in examples.items():
            for i, (kind, text) in enumerate(exs):
                rel = f"{svc}/{kind}-{i}.txt"
                os.makedirs(os.path.join(tmp, svc), exist_ok=True)
                with open(os.path.join(tmp, rel), "w") as f:
                    f.write(text)
                where[rel] = (svc, kind)
        out = subprocess.run([binary, "scan", "--format", "json", "--fail-on", "never", "-q", "."],
                             cwd=tmp, capture_output=True, text=True)
        report = json.loads(out.stdout)
    hit = set()
    rules_hit = {}
    for f in report["findings"]:
        if f["severity"] in SEVERE:
            rel = f["path"].removeprefix("./")
            hit.add(rel)
            rules_hit.setdefault(rel, set()).add(f["rule_id"])
    rows = []
    for svc, exs in sorted(examples.items()):
        pos = [f"{svc}/pos-{i}.txt" for i, (k, _) in enumerate(exs) if k == "pos"]
        neg = [f"{svc}/neg-{i}.txt" for i, (k, _) in enumerate(exs) if k == "neg"]
        found = sum(p in hit for p in pos)
        flagged = sum(n in hit for n in neg)
        rows.append((svc, len(pos), found, len(neg), flagged))
    detected = [r for r in rows if r[1] and r[2] * 2 >= r[1]]
    covered = [r for r in rows if r[2] > 0]
    ex_cov = sum(r[1] for r in covered)
    found_cov = sum(r[2] for r in covered)
    for svc, npos, found, nneg, flagged in rows:
        mark = "ok  " if npos and found * 2 >= npos else "MISS"
        if "--misses" in opts and mark == "ok  ":
            continue
        print(f"{mark} {svc:32} {found}/{npos} found" + (f", {flagged}/{nneg} negatives flagged" if nneg else ""))
    print(f"services: {len(detected)} of {len(rows)} detected (at least half their examples)")
    if ex_cov:
        print(f"covered-family recall: {found_cov}/{ex_cov} = {100 * found_cov / ex_cov:.1f}%")
    print(f"negatives flagged at low or above: {sum(r[4] for r in rows)} of {sum(r[3] for r in rows)}")


if __name__ == "__main__":
    main()
