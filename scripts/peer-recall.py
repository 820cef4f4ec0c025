#!/usr/bin/env python3
"""Recall on a peer's published rule examples: which services sealant detects.

Reads Kingfisher's rule files (data/rules/*.yml, each rule with `examples` and some with
`negative_examples`) from a clone or bare mirror of github.com/mongodb/kingfisher, writes each
example to its own file, scans them all with sealant in one run, and prints per service (a
rule file, `_v2`-style suffixes joined) how many examples a finding at low or above was
reported for. A service counts as detected when at least half its examples are found;
covered-family recall is the share of examples found among services sealant detects at all.
Nothing of the peer is copied into sealant: the examples are read at run time, as test data.

usage: scripts/peer-recall.py KINGFISHER_REPO [SEALANT_BINARY] [--services=a,b,c] [--misses] [--show]
                              [--inert-apart]
                              [--common=GITLEAKS_REPO,TRUFFLEHOG_REPO] [--top=60]
                              [--gitleaks=GITLEAKS_REPO] [--trufflehog=TRUFFLEHOG_REPO]

--gitleaks adds gitleaks' published examples: the string literals of the `tps` (positives) and
`fps` (negatives) lists in its cmd/generate/config/rules/*.go, one service per file (`twilio.go`:
twilio). Examples gitleaks generates at run time (`utils.GenerateSampleSecrets(…)`, literals
joined with `+`) are not read. Services are then keyed `gitleaks:<file>`, and with --common the
60 services are taken from both peers by the same name (`twilio`, `gitleaks:twilio`).

--trufflehog adds TruffleHog's pattern tests (pkg/detectors/<name>/<name>_test.go) of the
detectors named like the services measured: each case's `input` built as the test builds it
(the file's string constants, `+`, `fmt.Sprintf`), positive when its `want` lists anything,
negative when it is empty or nil (services `trufflehog:<service>`). A TruffleHog negative is a
negative for one detector, often a real credential of another kind.

--common keeps the services all three peers have rules for (a gitleaks rule id and a TruffleHog
detector directory starting with the Kingfisher service's name), the --top N (default 60) with
the most Kingfisher examples: the services peers' published examples cover most.

Examples are also judged, and counted apart: "synthetic" when the value is made up rather than
random (a run of 8 or more ascending letters in any case or digits such as `abcdefgh`/`LMnOPqRS`/
`12345678`, interleaved `a1b2c3d4e5f6`, a token mostly typed as runs of three `123abcDEF456`, 8 equal characters, an 8-character block repeated,
RFC 4122's sample UUID `123e4567-e89b-…`, a token that says `example` or `fake`), "identifier" when what
it shows is not a credential (a name ending in id/domain/host/url/product, or a bare host name:
`auth0_client_id = …`, `mycompany.jfrog.io`; a Meta client token, which Meta says is not a
secret; a text with no value of 16 characters), and "malformed" when a JSON Web Token's (or a
Mapbox token's) first segment is not base64url of a JSON object (RFC 7519), a UUID-shaped
value holds letters past `f` (RFC 4122 UUIDs are hex), a Stripe key for a `prod` mode or
with a body under 24 characters, an OpenAI key whose marker is not `T3BlbkFJ`, a Slack bot
token with non-numeric ids, a Grafana Cloud `glc_` token whose base64 is not JSON, a Discord
bot token whose first part is not base64 of a numeric id, an Azure key or Square token with
`=` inside it (padding only ends base64, RFC 4648), or an Azure DevOps
52-character token holds 0, 1, 8 or 9 (Microsoft defines it as base32): a token corrupted or
edited by hand. Recall and detected services are
printed over all examples and over the judged rest (credentials in a real format).

--inert-apart also sets apart JSON Web Tokens that grant nothing: `exp` past (sealant reports
them at info), unsigned (`alg: none`, not reported), Supabase's published local-development
keys (`iss: supabase-demo`) and OPA bundle signatures (claims only `files`); and Azure SAS
tokens whose `se=` expiry is past (info). Over all examples they count as missed.

A TruffleHog negative holding a value another of its detectors' tests want reported (its
OpenAI admin-key detector is shown user keys its OpenAI detector reports) is counted apart: a
key by the peer's own account, of another kind.

--show prints each example not found (and each negative flagged), cut to 160 characters.
"""
import base64
import calendar
import json
import os
import re
import subprocess
import sys
import tempfile
import time

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


def synthetic(text):
    """A value made up by hand: 8+ ascending letters (in any case: `LMnOPqRS`) or digits, or
    interleaved (`a1b2c3d4e5f6`), an 8-byte block repeated, or a token that says it is an
    example (`example.v1.…`)."""
    if re.search(r"(?i)(?<![A-Za-z])example[._-]", text):
        return True
    # A token that says so: `SKbddcfb88fake8f7…`, `hFAKEQrhLG…`, `TAGGINGEXAMPLE/…`.
    for m in re.finditer(r"[A-Za-z0-9_/+=.-]{16,}", text):
        if re.search(r"(?i)fake|example", m.group(0)) and not re.search(r"(?i)example\.(?:com|org|net)", m.group(0)):
            return True
    run = 1
    for a, b in zip(text.lower(), text[1:].lower()):
        up = ord(b) == ord(a) + 1 or (a, b) == ("9", "0")
        run = run + 1 if up and a.isalnum() and b.isalnum() else 1
        if run >= 8:
            return True
    # Interleaved: `a1b2c3d4e5` (every other character ascending, 9 -> 0 too).
    low = text.lower()
    for start in (0, 1):
        run = 1
        for a, b in zip(low[start::2], low[start + 2::2]):
            up = (ord(b) == ord(a) + 1 or (a, b) == ("9", "0")) and a.isalnum() and b.isalnum()
            run = run + 1 if up else 1
            if run >= 6:
                return True
    # Typed as runs of three (`123abcDEF456ghi`, `zyxwvUT987srq`): most of a token in ascending
    # or descending triples.
    tokens = re.findall(r"[A-Za-z0-9][A-Za-z0-9-]{15,}", text)
    tokens += re.findall(r"[A-Za-z0-9]{8}(?:-[A-Za-z0-9]{4}){3}-[A-Za-z0-9]{12}", text)
    for tok in tokens:
        tok, covered, i = tok.lower().replace("-", ""), 0, 0
        while i + 2 < len(tok):
            a, b, c = (ord(x) for x in tok[i:i + 3])
            if b - a == c - b and abs(b - a) == 1:
                covered, i = covered + 3, i + 3
            else:
                i += 1
        if covered >= 0.7 * len(tok):
            return True
    if re.search(r"([A-Za-z0-9])\1{7}", text) or "123e4567-e89b" in text:
        return True
    for m in re.finditer(r"[A-Za-z0-9]{8}", text):
        if text.count(m.group(0)) > 1 and len(set(m.group(0))) > 2:
            return True
    return False


IDENTIFIER = re.compile(
    r"(?ix) (?: _|\.|\b|[a-z](?=[A-Z]) ) (?:client[_.]?id|app[_.]?id|id|domain|host|url|product)"
    r" [\"']? \s* [:=]"
    r"| ^ \s* (?:https?://)? [a-z0-9.-]+ \. (?:com|io|net|org) /? \s* $")


def identifier(text):
    """The example shows an identifier (client id, domain, host), and no credential's name; or
    a Meta client token (Meta: "the client token isn't meant to be a secret identifier because
    it's embedded in apps"); or no value at all (no run of 16 characters a key is made of)."""
    if re.search(r"(?i)(?:facebook|fb|meta)[_.-]?client[_.-]?(?:access[_.-]?)?token", text):
        return True
    if not re.search(r"[A-Za-z0-9+/=_.~-]{16,}", text):
        return True
    if re.search(r"(?i)(?:secret|token|password|passwd|pat|key)[\"']?\s*[:=]", text):
        return False
    return bool(IDENTIFIER.search(text)) or bool(re.search(r"(?:Id|ID|Domain|Host)\s*[:=]", text))


def malformed(text, service=""):
    """A JSON Web Token (or a Mapbox token, made the same way) whose first segment is not the
    base64url of a JSON object, as RFC 7519 requires: corrupted or edited by hand. For Azure,
    also a 52-character DevOps token that is not base32 (Microsoft defines it as a base32
    encoded 256-bit key: letters and the digits 2-7, no 0, 1, 8 or 9)."""
    # A UUID-shaped body with letters past `f` (`sdk-5gykyl1b-wgrq-…`): UUIDs are hex (RFC 4122).
    for m in re.finditer(r"(?<![A-Za-z0-9])[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12}(?![A-Za-z0-9])", text):
        if re.search(r"[g-z]", m.group(0)):
            return True
    # Not a format the vendor issues: a Stripe key for a `prod` mode (Stripe's modes are live
    # and test) or with a body shorter than any Stripe key (24); an OpenAI key whose marker is
    # not `T3BlbkFJ` (base64 of "OpenAI"); a Slack bot token whose team and bot ids are not
    # numbers; a Grafana Cloud `glc_` token or a Discord bot token whose first part does not
    # decode (base64 of a JSON object; base64 of the bot's numeric user id).
    if re.search(r"(?<![A-Za-z0-9])[sr]k_prod_|(?<![A-Za-z0-9])[sr]k_(?:live|test)_[A-Za-z0-9]{1,23}(?![A-Za-z0-9])", text):
        return True
    if re.search(r"(?<![A-Za-z0-9])sk-[A-Za-z0-9]{20}(?!T3)[A-Za-z0-9]{2}BlbkFJ", text):
        return True
    if re.search(r"(?<![A-Za-z0-9])xoxb-[0-9]*[A-Za-z][A-Za-z0-9]*-", text):
        return True
    for m in re.finditer(r"(?<![A-Za-z0-9_])glc_([A-Za-z0-9+/]{32,}={0,2})", text):
        if not b64_json_object(m.group(1), base64.b64decode):
            return True
    if service == "discord":
        for m in re.finditer(r"(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{23,28})\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,}", text):
            seg = m.group(1)
            try:
                uid = base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4))
            except ValueError:
                return True
            if not uid.isdigit():
                return True
    # Azure keys are base64, Square tokens base64url: padding `=` only ends a value (RFC 4648),
    # so `BXIMbhBlC3=5hIbq…` or `EAAAYmTg…Trb=roK23I=iFeb…` was edited by hand.
    if service.endswith(("azure", "square")):
        for m in re.finditer(r"[A-Za-z0-9+/_-]{8,}=+[A-Za-z0-9+/_-]{4,}", text):
            head = m.group(0).split("=")[0]
            if len(m.group(0)) >= 40 and re.search(r"[0-9]", head):
                return True
    if service.endswith("azure"):
        for m in re.finditer(r"(?<![A-Za-z0-9])[a-z0-9]{52}(?![A-Za-z0-9])", text):
            if re.search(r"[0189]", m.group(0)):
                return True
    for m in re.finditer(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+(?=\.)", text):
        if not b64_json_object(m.group(0), base64.urlsafe_b64decode):
            return True
    return False


def b64_json_object(seg, decode):
    """Whether `seg` (padding optional) decodes to a JSON object."""
    try:
        doc = json.loads(decode(seg + "=" * (-len(seg) % 4)))
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(doc, dict)


def inert(text):
    """A JSON Web Token that grants nothing: its `exp` claim is past (every verifier refuses
    it, RFC 7519 §4.1.4), or it is unsigned (`alg: none`: anybody can make one); or an Azure
    shared access signature whose signed expiry (`se=`) is past. sealant reports expired ones
    at info and unsigned tokens not at all."""
    if "sig=" in text:
        m = re.search(r"(?:^|[?&\s=])se=(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::|%3A)(\d{2}))?", text)
        if m:
            y, mo, d, h, mi = (int(g or 0) for g in m.groups())
            when = calendar.timegm((y, mo, d, h, mi, 0, 0, 0, 0))
            if when < time.time():
                return True
    for m in re.finditer(r"(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]+)\.(eyJ[A-Za-z0-9_-]+)", text):
        try:
            head, claims = (json.loads(base64.urlsafe_b64decode(g + "=" * (-len(g) % 4)))
                            for g in m.groups())
        except (ValueError, UnicodeDecodeError):
            continue
        if not isinstance(head, dict) or not isinstance(claims, dict):
            continue
        if str(head.get("alg", "")).lower() == "none":
            return True
        # Supabase's published local-development keys; an OPA bundle signature (a signed list
        # of files, shipped with the bundle).
        if claims.get("iss") == "supabase-demo" or set(claims) == {"files"}:
            return True
        exp = claims.get("exp")
        if isinstance(exp, str) and exp.isdigit():
            exp = int(exp)
        if isinstance(exp, (int, float)):
            return exp < time.time()
    return False


INERT = False


def judged_out(text, service=""):
    return (synthetic(text) or identifier(text) or malformed(text, service)
            or (INERT and inert(text)))


def common_services(kingfisher, gitleaks, trufflehog, top):
    """Kingfisher services gitleaks and TruffleHog also have rules for, most examples first."""
    norm = lambda s: re.sub(r"[^a-z0-9]", "", s.lower())
    git = lambda repo, *a: subprocess.run(["git", "-C", repo, *a], capture_output=True,
                                          text=True, check=True).stdout
    config = git(gitleaks, "show", "HEAD:config/gitleaks.toml")
    ids = [norm(i) for i in re.findall(r'(?m)^id\s*=\s*"([^"]+)"', config)]
    dirs = [norm(d.split("/")[2]) for d in git(trufflehog, "ls-tree", "-d", "--name-only", "HEAD",
                                                "pkg/detectors/").split() if d.count("/") == 2]
    counts = {}
    for name, text in rule_files(kingfisher):
        try:
            doc = yaml.safe_load(text) or {}
        except yaml.YAMLError:
            continue
        n = sum(len(r.get("examples", []) or []) for r in doc.get("rules", []) or [])
        counts[service_of(name)] = counts.get(service_of(name), 0) + n
    keep = [s for s in counts if len(norm(s)) >= 3 and s != "generic"
            and any(i.startswith(norm(s)) for i in ids) and any(d.startswith(norm(s)) for d in dirs)]
    keep.sort(key=lambda s: (-counts[s], s))
    return keep[:top]


GO_LIST = re.compile(r"\b([tf]ps)\s*:?=\s*(?:append\(\s*[tf]ps\s*,|\[\]string\s*\{)")


def go_literal(text, i):
    """The Go string literal starting at text[i] and the index after it, or (None, i)."""
    if text[i] == "`":
        j = text.find("`", i + 1)
        return (text[i + 1:j], j + 1) if j > 0 else (None, i)
    out, j = [], i + 1
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'"}
    while j < len(text) and text[j] != '"':
        if text[j] == "\\" and j + 1 < len(text):
            c = text[j + 1]
            if c in escapes:
                out.append(escapes[c]); j += 2; continue
            if c == "x" and j + 3 < len(text):
                out.append(chr(int(text[j + 2:j + 4], 16))); j += 4; continue
            if c == "u" and j + 5 < len(text):
                out.append(chr(int(text[j + 2:j + 6], 16))); j += 6; continue
            return None, i
        if text[j] == "\n":
            return None, i
        out.append(text[j]); j += 1
    return "".join(out), j + 1


def gitleaks_examples(repo):
    """(service, kind, text) for every plain string literal of gitleaks' tps/fps lists (an fps
    element under a `// False Negative` comment is a key gitleaks misses: a positive)."""
    git = ["git", "-C", repo]
    names = subprocess.run(git + ["ls-tree", "--name-only", "HEAD", "cmd/generate/config/rules/"],
                           capture_output=True, text=True, check=True).stdout.split()
    for name in names:
        if not name.endswith(".go") or name.endswith("_test.go"):
            continue
        svc = "gitleaks:" + os.path.basename(name)[:-3]
        text = subprocess.run(git + ["show", f"HEAD:{name}"], capture_output=True, text=True,
                              check=True).stdout
        for m in GO_LIST.finditer(text):
            kind = base = "pos" if m.group(1) == "tps" else "neg"
            i, depth, prev = m.end(), 1, ","
            while i < len(text) and depth > 0:
                c = text[i]
                if c in "\"`":
                    lit, j = go_literal(text, i)
                    if lit is None:
                        break
                    k = j
                    while k < len(text) and text[k] in " \t":
                        k += 1
                    # A whole element: after `{`/`,`, before `,`/`}`/`)`/a comment.
                    if depth == 1 and prev in ",{(" and (text[k:k + 1] in (",", "}", ")", "\n") or text.startswith("//", k)):
                        yield svc, kind, lit
                    prev, i = "lit", j
                    continue
                if c == "/" and text.startswith("//", i):
                    end = text.find("\n", i)
                    end = len(text) if end < 0 else end
                    # A comment line heads the elements below it: gitleaks marks keys its own
                    # rule misses, listed among fps, `// False Negative` — they are keys.
                    if text[:i].rstrip(" \t").endswith("\n"):
                        fn = "false negative" in text[i:end].lower()
                        kind = "pos" if fn else base
                    i = end
                    continue
                if c in "{(":
                    depth += 1
                elif c in "})":
                    depth -= 1
                if not c.isspace():
                    prev = c
                i += 1


GO_CONST = re.compile(r"(?m)^\s*(?:const\s+|var\s+)?([A-Za-z_]\w*)\s*(?:string\s*)?=\s*(?=[\"`])")
GO_VERB = re.compile(r"%[-+# 0-9.]*[svdqx%]")


def go_expr(text, i, consts):
    """The value of a Go string expression at `i` (literals, constants of the file, `+`,
    `fmt.Sprintf`); (None, i) for anything else."""
    parts = []
    while True:
        while i < len(text) and text[i] in " \t\n":
            i += 1
        if text[i:i + 1] in ("\"", "`"):
            lit, i = go_literal(text, i)
            if lit is None:
                return None, i
            parts.append(lit)
        elif text.startswith("fmt.Sprintf(", i):
            i += len("fmt.Sprintf(")
            args = []
            while True:
                val, i = go_expr(text, i, consts)
                if val is None:
                    return None, i
                args.append(val)
                while i < len(text) and text[i] in " \t\n":
                    i += 1
                if text[i:i + 1] == ",":
                    i += 1
                    while i < len(text) and text[i] in " \t\n":
                        i += 1
                    if text[i:i + 1] == ")":
                        break
                    continue
                break
            if text[i:i + 1] != ")":
                return None, i
            i += 1
            fmt, rest = args[0], iter(args[1:])

            def verb(m):
                if m.group(0) == "%%":
                    return "%"
                v = next(rest, "")
                return json.dumps(v) if m.group(0).endswith("q") else v
            parts.append(GO_VERB.sub(verb, fmt))
        else:
            m = re.match(r"[A-Za-z_]\w*", text[i:])
            if not m or m.group(0) not in consts:
                return None, i
            parts.append(consts[m.group(0)])
            i += m.end()
        j = i
        while j < len(text) and text[j] in " \t":
            j += 1
        if text[j:j + 1] == "+":
            i = j + 1
            continue
        return "".join(parts), i


# TruffleHog: each value a detector's test wants reported -> the detectors; each negative's
# input -> its detector.
REPORTED = {}
NEG_DETECTOR = {}


def trufflehog_examples(repo, services):
    """(service, kind, text) for the pattern tests of TruffleHog's detectors whose directory
    starts with one of `services` (normalized): each test case's `input` built as the test
    builds it (string constants of the file, `+`, `fmt.Sprintf`), a positive when its `want`
    lists anything, a negative when it is empty or nil. Cases built any other way are not
    read."""
    norm = lambda x: re.sub(r"[^a-z0-9]", "", x.lower())
    git = ["git", "-C", repo]
    names = subprocess.run(git + ["ls-tree", "-r", "--name-only", "HEAD", "pkg/detectors/"],
                           capture_output=True, text=True, check=True).stdout.split()
    for name in names:
        parts = name.split("/")
        if len(parts) != 4 or not name.endswith("_test.go") or "integration" in name:
            continue
        owner = next((svc for svc in services if norm(parts[2]).startswith(norm(svc))), None)
        if owner is None:
            continue
        text = subprocess.run(git + ["show", f"HEAD:{name}"], capture_output=True, text=True,
                              check=True).stdout
        consts = {}
        for m in GO_CONST.finditer(text):
            lit, _ = go_literal(text, m.end())
            if lit is not None:
                consts.setdefault(m.group(1), lit)
        for m in re.finditer(r"\binput:\s*", text):
            value, end = go_expr(text, m.end(), consts)
            if not value or not value.strip():
                continue
            nxt = text.find("input:", end)
            want = re.search(r"\bwant:\s*(nil|\[\]string\{(.*?)\})", text[end:nxt if nxt > 0 else None], re.S)
            if not want:
                continue
            kind = "pos" if want.group(2) and want.group(2).strip() else "neg"
            if kind == "pos":
                for w in re.finditer(r'"([^"\\]{16,})"|\b([A-Za-z_]\w*)\b', want.group(2)):
                    lit = w.group(1) or consts.get(w.group(2) or "")
                    if lit and len(lit) >= 16:
                        REPORTED.setdefault(lit, set()).add(parts[2])
            else:
                NEG_DETECTOR[value] = parts[2]
            yield "trufflehog:" + owner, kind, value


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    opts = {a.split("=")[0]: (a.split("=", 1) + [""])[1] for a in sys.argv[1:] if a.startswith("--")}
    global INERT
    INERT = "--inert-apart" in opts
    repo = args[0]  # "-": no Kingfisher examples (with --gitleaks)
    binary = os.path.abspath(args[1] if len(args) > 1 else "target/release/sealant")
    only = set(filter(None, opts.get("--services", "").split(",")))
    if opts.get("--common"):
        gitleaks, trufflehog = opts["--common"].split(",")
        only |= set(common_services(repo, gitleaks, trufflehog, int(opts.get("--top") or 60)))
    examples = {}  # service -> list of (kind, text)
    if opts.get("--trufflehog"):
        for svc, kind, text in trufflehog_examples(opts["--trufflehog"], sorted(only)):
            examples.setdefault(svc, []).append((kind, text))
    if opts.get("--gitleaks"):
        for svc, kind, text in gitleaks_examples(opts["--gitleaks"]):
            if not only or svc.removeprefix("gitleaks:") in only:
                examples.setdefault(svc, []).append((kind, text))
    for name, text in (rule_files(repo) if repo != "-" else []):
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
    # A TruffleHog negative holding a value another of its detectors' tests want reported (its
    # OpenAI admin-key detector is shown user keys its OpenAI detector reports): a key by the
    # peer's own account, of another kind; counted apart.
    def another_kind(text):
        mine = NEG_DETECTOR.get(text)
        return mine is not None and any(
            key in text and dets - {mine} for key, dets in REPORTED.items())
    theirs = {f"{svc}/neg-{i}.txt" for svc, exs in examples.items()
              for i, (k, t) in enumerate(exs) if k == "neg" and another_kind(t)}
    rows = []
    for svc, exs in sorted(examples.items()):
        pos = [(f"{svc}/pos-{i}.txt", judged_out(t, svc)) for i, (k, t) in enumerate(exs) if k == "pos"]
        neg = [f"{svc}/neg-{i}.txt" for i, (k, _) in enumerate(exs)
               if k == "neg" and f"{svc}/neg-{i}.txt" not in theirs]
        found = sum(p in hit for p, _ in pos)
        made_up = sum(m for _, m in pos)
        found_real = sum(p in hit for p, m in pos if not m)
        flagged = sum(n in hit for n in neg)
        rows.append((svc, len(pos), found, len(neg), flagged, made_up, found_real))
    detected = [r for r in rows if r[1] and r[2] * 2 >= r[1]]
    for svc, npos, found, nneg, flagged, made_up, _ in rows:
        mark = "ok  " if npos and found * 2 >= npos else "MISS"
        if "--misses" in opts and mark == "ok  ":
            continue
        print(f"{mark} {svc:32} {found}/{npos} found" + (f" ({made_up} synthetic, identifiers or malformed)" if made_up else "")
              + (f", {flagged}/{nneg} negatives flagged" if nneg else ""))
        if "--show" in opts:
            for i, (kind, text) in enumerate(examples[svc]):
                rel = f"{svc}/{kind}-{i}.txt"
                if (kind == "pos") != (rel in hit):
                    tag = ("missed " if kind == "pos" else "flagged") + ("*" if judged_out(text, svc) else " ")
                    tag = "theirs " if rel in theirs else tag
                    print(f"     {tag} {text[:160]!r}")
    print(f"services: {len(detected)} of {len(rows)} detected (at least half their examples)")
    judged = [r for r in rows if r[1] - r[5] > 0]
    judged_hit = [r for r in judged if r[6] * 2 >= r[1] - r[5]]
    print(f"judged: {len(judged_hit)} of {len(judged)} services with a credential in a real format "
          f"detected (at least half of those); {len(rows) - len(judged)} have only synthetic "
          f"values, identifiers or malformed tokens")
    peers = {"": rows}
    if any(r[0].startswith(("gitleaks:", "trufflehog:")) for r in rows):
        peers = {"": rows, " (Kingfisher)": [r for r in rows if ":" not in r[0]],
                 " (gitleaks)": [r for r in rows if r[0].startswith("gitleaks:")],
                 " (TruffleHog)": [r for r in rows if r[0].startswith("trufflehog:")]}
    for peer, some in peers.items():
        covered = [r for r in some if r[2] > 0]
        if covered:
            n, f = sum(r[1] for r in covered), sum(r[2] for r in covered)
            nr, fr = sum(r[1] - r[5] for r in covered), sum(r[6] for r in covered)
            print(f"covered-family recall{peer}: {f}/{n} = {100 * f / n:.1f}% of all examples; "
                  f"{fr}/{nr} = {100 * fr / max(nr, 1):.1f}% of the judged examples")
    for peer, some in peers.items():
        if peer:
            judged = [r for r in some if r[1] - r[5] > 0]
            print(f"services{peer}: {len([r for r in some if r[1] and r[2] * 2 >= r[1]])} of "
                  f"{len(some)} detected; judged {len([r for r in judged if r[6] * 2 >= r[1] - r[5]])}"
                  f" of {len(judged)}")
    print(f"negatives flagged at low or above: {sum(r[4] for r in rows)} of {sum(r[3] for r in rows)}"
          f" ({len(theirs)} more hold a key another detector of the peer reports:"
          f" {len(theirs & hit)} flagged)")


if __name__ == "__main__":
    main()
