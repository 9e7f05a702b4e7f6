#!/usr/bin/env python3
"""Mutation check: do the tests fail when the product breaks?

Applies each mutant of tools/mutants.txt (a small, realistic slip in real code) to a copy of the
repository's COMMITTED state (git archive HEAD; uncommitted changes are not in the copy, see
--add), one at a time: rebuilds incrementally, runs the tests that should catch it, and reports
which mutants survived. Python 3 standard library only; tools/mutants.sh calls this.

The copy lives in WORK/src (its build in WORK/src/build, kept between invocations, so later runs
only rebuild what changed). The mutated file is always restored, on errors and Ctrl-C too; a copy
left mutated by a killed run is put right by the next run's sync.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))


@dataclass
class Mutant:
    id: str
    area: str = ""
    desc: str = ""
    file: str = ""
    tests: str = ""
    edits: list = field(default_factory=list)  # [(original, replacement)]
    line: int = 0  # where it starts in mutants.txt


@dataclass
class Outcome:
    result: str  # killed | SURVIVED | build error | STALE | not run
    killed_by: str = ""
    build_s: float = 0.0
    test_s: float = 0.0
    note: str = ""


def die(msg, code=2):
    print(f"mutants: {msg}", file=sys.stderr)
    sys.exit(code)


# --------------------------------------------------------------------------------------------
# The mutant file


def parse_mutants(path):
    mutants, cur = [], None
    minus, plus = [], []

    def close_edit(lineno):
        nonlocal minus, plus
        if minus or plus:
            if not minus or not plus:
                die(f"{path}:{lineno}: mutant '{cur.id}': a '- ' snippet needs a '+ ' replacement right after it (and the reverse)")
            cur.edits.append(("\n".join(minus), "\n".join(plus)))
        minus, plus = [], []

    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, raw in enumerate(lines, 1):
        if raw.startswith("#") or (not raw.strip() and not cur):
            continue
        if raw.startswith("== "):
            if cur:
                close_edit(n)
            cur = Mutant(id=raw[3:].strip(), line=n)
            mutants.append(cur)
            continue
        if cur is None:
            die(f"{path}:{n}: text before the first '== <id>' line")
        if not raw.strip():
            continue
        if raw.startswith("- ") or raw == "-":
            if plus:
                close_edit(n)
            minus.append(raw[2:])
        elif raw.startswith("+ ") or raw == "+":
            if not minus:
                die(f"{path}:{n}: mutant '{cur.id}': '+ ' line without a '- ' snippet before it")
            plus.append(raw[2:])
        else:
            m = re.match(r"^(area|desc|file|tests):\s*(.*)$", raw)
            if not m:
                die(f"{path}:{n}: mutant '{cur.id}': expected 'area:', 'desc:', 'file:', 'tests:', '- ' or '+ ', got: {raw!r}")
            setattr(cur, m.group(1), m.group(2).strip())
    if cur:
        close_edit(len(lines))
    seen = set()
    for m in mutants:
        for key in ("area", "desc", "file", "tests"):
            if not getattr(m, key):
                die(f"{path}:{m.line}: mutant '{m.id}' has no '{key}:'")
        if not m.edits:
            die(f"{path}:{m.line}: mutant '{m.id}' has no '- ' / '+ ' snippet")
        if m.id in seen:
            die(f"{path}:{m.line}: mutant id '{m.id}' appears twice")
        if m.tests.count("(") > 9:
            die(f"{path}:{m.line}: mutant '{m.id}': tests regex has more than 9 groups, more than CMake's regex allows")
        try:
            re.compile(m.tests)
        except re.error as e:
            die(f"{path}:{m.line}: mutant '{m.id}': tests regex {m.tests!r} is invalid: {e}")
        seen.add(m.id)
    return mutants


def stale_reason(m, text):
    """Why the mutant cannot be applied to `text` (the committed file), or '' when it can."""
    if text is None:
        return f"{m.file} is not in the committed tree"
    for k, (orig, repl) in enumerate(m.edits, 1):
        count = text.count(orig)
        if count != 1:
            return f"snippet {k} occurs {count} times in {m.file} (must be exactly once): {orig.splitlines()[0][:70]!r}"
        if orig == repl:
            return f"snippet {k}: the replacement equals the original"
    return ""


def apply_edits(m, text):
    for orig, repl in m.edits:
        text = text.replace(orig, repl, 1)
    return text


# --------------------------------------------------------------------------------------------
# Running things


def descendants(pid):
    """Every live process below pid (ctest puts each test in a process group of its own, so a
    signal to ctest's group does not reach them)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def kill_group(p):
    """Ends a child started in its own session and everything below it (ninja's compilers,
    ctest's test processes), politely first. The tree is taken before any signal: a child whose
    parent has ended is no longer found below it."""
    tree = [p.pid] + descendants(p.pid)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in tree:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.time() + 5
        while time.time() < deadline and any(alive(pid) for pid in tree[1:]):
            time.sleep(0.2)
        try:
            p.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            continue
        if not any(alive(pid) for pid in tree[1:]):
            return


def alive(pid):
    """True for a running process (a zombie waiting for its parent counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def run(cmd, cwd=None, env=None, log=None, timeout=None):
    """Runs cmd (a list) in a session of its own, its output appended to log; returns
    (returncode, output). On a timeout or an interrupt the whole process group is ended."""
    t0 = time.time()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                         start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        kill_group(p)
        out = (p.communicate()[0] or "") + f"\n[mutants: timed out after {timeout} s]\n"
        rc = 124
    except BaseException:
        kill_group(p)
        raise
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"\n$ {' '.join(shlex.quote(c) for c in cmd)}   # {time.time() - t0:.0f} s, exit {rc}\n{out}")
    return rc, out


def git(repo, *args):
    p = subprocess.run(["git", "-C", repo, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        die(f"git {' '.join(args)} failed in {repo}: {p.stderr.strip()}")
    return p.stdout


def committed_text(repo, path):
    p = subprocess.run(["git", "-C", repo, "show", f"HEAD:{path}"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if p.returncode != 0:
        return None
    return p.stdout.decode("utf-8", errors="surrogateescape")


# --------------------------------------------------------------------------------------------
# The copy


def sync_copy(repo, work, extra):
    """WORK/src := git archive HEAD (+ the --add files), copying only files whose content differs
    (new mtime: ninja rebuilds them) and removing files HEAD does not have (not build/)."""
    src, stage = os.path.join(work, "src"), os.path.join(work, "stage")
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(stage)
    archive = os.path.join(work, "head.tar")
    with open(archive, "wb") as f:
        p = subprocess.run(["git", "-C", repo, "archive", "HEAD"], stdout=f, stderr=subprocess.PIPE)
    if p.returncode != 0:
        die(f"git archive HEAD failed in {repo}: {p.stderr.decode(errors='replace').strip()}")
    with tarfile.open(archive) as t:
        t.extractall(stage)
    os.remove(archive)
    for rel in extra:
        from_path = os.path.join(repo, rel)
        if not os.path.isfile(from_path):
            die(f"--add {rel}: {from_path} is not a file in the working tree")
        os.makedirs(os.path.dirname(os.path.join(stage, rel)), exist_ok=True)
        shutil.copyfile(from_path, os.path.join(stage, rel))
    os.makedirs(src, exist_ok=True)
    changed = added = removed = 0
    wanted = set()
    for root, dirs, files in os.walk(stage):
        for name in files:
            s = os.path.join(root, name)
            rel = os.path.relpath(s, stage)
            wanted.add(rel)
            d = os.path.join(src, rel)
            if os.path.islink(s):
                if not (os.path.islink(d) and os.readlink(d) == os.readlink(s)):
                    if os.path.lexists(d):
                        os.remove(d)
                    os.makedirs(os.path.dirname(d), exist_ok=True)
                    os.symlink(os.readlink(s), d)
                    changed += 1
                continue
            if os.path.isfile(d) and not os.path.islink(d):
                with open(s, "rb") as a, open(d, "rb") as b:
                    if a.read() == b.read():
                        continue
            os.makedirs(os.path.dirname(d), exist_ok=True)
            if os.path.lexists(d):
                os.remove(d)
            else:
                added += 1
            shutil.copyfile(s, d)
            shutil.copymode(s, d)
            changed += 1
    for root, dirs, files in os.walk(src):
        rel_root = os.path.relpath(root, src)
        if rel_root == "." and "build" in dirs:
            dirs.remove("build")
        for name in files:
            rel = os.path.normpath(os.path.join(rel_root, name))
            if rel not in wanted:
                os.remove(os.path.join(root, name))
                removed += 1
    shutil.rmtree(stage, ignore_errors=True)
    return changed, added, removed


def configure(src, build, torch_python, shared_data, log, refresh):
    """Configures the copy's build once; re-runs cmake when its settings changed or files were
    added or removed (the test folders glob their test_*.cpp: ctest must see new tests)."""
    env = dict(os.environ, CCACHE_BASEDIR=src)
    args = ["-DCMAKE_BUILD_TYPE=Release", f"-DSRS_TORCH_PYTHON={torch_python}", f"-DSRS_SHARED_DATA={shared_data}"]
    cache = os.path.join(build, "CMakeCache.txt")
    if os.path.exists(os.path.join(build, "build.ninja")) and os.path.exists(cache):
        with open(cache, encoding="utf-8", errors="replace") as f:
            text = f.read()
        if not refresh and f"SRS_SHARED_DATA:PATH={shared_data}\n" in text and f"SRS_TORCH_PYTHON:FILEPATH={torch_python}\n" in text:
            return
        cmd = ["nice", "-n", "10", "cmake", build, *args]
    else:
        cmd = ["nice", "-n", "10", "cmake", "-S", src, "-B", build, "-G", "Ninja", *args]
    print(f"configuring {build} ...", flush=True)
    rc, out = run(cmd, env=env, log=log)
    if rc != 0:
        die(f"configuring the copy failed (see {log}):\n{tail(out)}", 3)


def tail(text, n=25):
    return "\n".join(text.rstrip().splitlines()[-n:])


def first_error(out):
    for line in out.splitlines():
        if "error:" in line or "FAILED:" in line:
            return line.strip()[:200]
    return tail(out, 3)


# --------------------------------------------------------------------------------------------
# Tests and targets


def ctest_selection(regex, full):
    """The ctest arguments selecting a mutant's tests: its regex (without the interop label unless
    the regex names interop tests), or the whole suite with --full."""
    if full:
        return []
    args = ["-R", regex]
    if "interop" not in regex:
        args += ["-LE", "interop"]
    return args


def tests_of(build, selection):
    """(test names, executables inside the build) that a ctest selection would run."""
    p = subprocess.run(["ctest", "--test-dir", build, "--show-only=json-v1", *selection], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, errors="replace")
    if p.returncode != 0 or "RegularExpression" in p.stderr:
        die(f"ctest --show-only {' '.join(selection)} failed in {build}:\n{tail(p.stderr)}", 3)
    data = json.loads(p.stdout)
    names, exes = [], set()
    for t in data.get("tests", []):
        names.append(t["name"])
        cmd = t.get("command") or []
        if cmd and os.path.abspath(cmd[0]).startswith(os.path.abspath(build) + os.sep):
            exes.add(os.path.relpath(os.path.abspath(cmd[0]), build))
        elif not cmd and t["name"] in ninja_targets(build):
            exes.add(t["name"])  # not built yet (ctest names no command): srs_add_test's target is the test's name
    return names, sorted(exes)


_targets = {}


def ninja_targets(build):
    if build not in _targets:
        p = subprocess.run(["ninja", "-C", build, "-t", "targets", "all"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        _targets[build] = {line.split(":", 1)[0] for line in p.stdout.splitlines() if ":" in line}
    return _targets[build]


def exact_selection(names):
    """A ctest -R selecting exactly these tests (CMake's regex allows only 9 groups: one here)."""
    return ["-R", "^(" + "|".join(re.escape(n) for n in sorted(set(names))) + ")$"]


def build_targets(build, targets, jobs, log, timeout):
    """Incremental build of `targets` (paths relative to the build tree; [] = everything)."""
    env = dict(os.environ, CCACHE_BASEDIR=os.path.dirname(build))
    cmd = ["nice", "-n", "10", "cmake", "--build", build, "-j", str(jobs)]
    if targets:
        cmd += ["--target", *targets]
    t0 = time.time()
    rc, out = run(cmd, env=env, log=log, timeout=timeout)
    return rc, out, time.time() - t0


def run_tests(build, selection, jobs, log, stop_on_failure, timeout):
    """Runs the selected tests; returns (failed test names, skipped names, seconds, output)."""
    failed_log = os.path.join(build, "Testing", "Temporary", "LastTestsFailed.log")
    if os.path.exists(failed_log):
        os.remove(failed_log)
    cmd = ["nice", "-n", "10", "ctest", "--test-dir", build, "-j", str(jobs), "--output-on-failure", *selection]
    if stop_on_failure:
        cmd.append("--stop-on-failure")
    t0 = time.time()
    rc, out = run(cmd, log=log, timeout=timeout)
    secs = time.time() - t0
    failed = []
    for line in out.splitlines():
        m = re.match(r"^\s*\d+/\d+ Test\s+#\d+: (\S+) \.+\s*(.*)$", line)
        if m and "Passed" not in m.group(2) and "Skipped" not in m.group(2):
            status = m.group(2).strip()
            failed.append(m.group(1) + (" (timeout)" if "Timeout" in status else ""))
    skipped = re.findall(r"Test\s+#\d+: (\S+) \.+\s*\*+Skipped", out)
    if rc == 124 and not failed:
        failed.append(f"(the whole run timed out after {timeout} s)")
    if rc != 0 and not failed and "No tests were found" not in out:
        failed.append(f"(ctest exit {rc}: {tail(out, 2)})")
    return failed, skipped, secs, out


# --------------------------------------------------------------------------------------------
# Reporting


HEADER = ["id", "area", "mutation", "result", "killed by", "build s", "test s"]


def table_rows(mutants, outcomes):
    rows = []
    for m in mutants:
        o = outcomes.get(m.id)
        if o is None:
            continue
        result = o.result + (f" ({o.note})" if o.note else "")
        rows.append([m.id, m.area, m.desc, result, o.killed_by, f"{o.build_s:.0f}", f"{o.test_s:.0f}"])
    return rows


def text_table(rows):
    widths = [len(h) for h in HEADER]
    clipped = []
    for r in rows:
        r = list(r)
        r[2] = r[2] if len(r[2]) <= 60 else r[2][:57] + "..."
        r[3] = r[3] if len(r[3]) <= 60 else r[3][:57] + "..."
        r[4] = r[4] if len(r[4]) <= 50 else r[4][:47] + "..."
        clipped.append(r)
        widths = [max(w, len(c)) for w, c in zip(widths, r)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    out = [line(HEADER), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in clipped]
    return "\n".join(out)


def md_table(rows):
    esc = lambda s: s.replace("|", "\\|")
    out = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(["---"] * 5 + ["---:"] * 2) + "|"]
    out += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def summary_line(outcomes):
    total = len(outcomes)
    killed = sum(1 for o in outcomes.values() if o.result == "killed")
    parts = [f"{killed} of {total} mutants killed"]
    for what in ("SURVIVED", "build error", "STALE", "not run"):
        n = sum(1 for o in outcomes.values() if o.result == what)
        if n:
            parts.append(f"{n} {what.lower()}")
    return ", ".join(parts)


# --------------------------------------------------------------------------------------------


class Restorer:
    """Puts the mutated file back, whatever happens (exception, Ctrl-C, SIGTERM)."""

    def __init__(self):
        self.path, self.original = None, None

    def arm(self, path, original):
        self.path, self.original = path, original

    def restore(self):
        if self.path is not None:
            with open(self.path, "wb") as f:
                f.write(self.original)
            self.path, self.original = None, None


def main():
    ap = argparse.ArgumentParser(
        prog="tools/mutants.sh",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Mutation check: applies each mutant of tools/mutants.txt (a small realistic slip in the "
        "code) to a copy of the repository's COMMITTED state (git archive HEAD: uncommitted changes are NOT "
        "tested, see --add), one at a time; rebuilds incrementally, runs the tests that should catch it and "
        "prints which mutants survived. The mutated file is always restored.",
        epilog="Exit status: 0 every mutant killed; 1 a mutant survived, did not build or is STALE; "
        "3 the copy does not configure, build or pass its tests unmutated (baseline).\n"
        "Environment: SRS_TORCH_PYTHON (default <repo>/.venv/bin/python), SRS_SHARED_DATA (default "
        "<repo>/../shared/data).\nExamples:\n  tools/mutants.sh --list\n  tools/mutants.sh\n"
        "  tools/mutants.sh --only io-q6k-nibbles-swapped,tok-bpe-highest-rank\n  tools/mutants.sh --full",
    )
    ap.add_argument("--work", default="/work/mutants", help="work folder: WORK/src holds the copy and its build (default /work/mutants)")
    ap.add_argument("--only", default="", help="comma-separated mutant ids to run (default: all)")
    ap.add_argument("--list", action="store_true", help="list the mutants, checking each applies to HEAD (STALE if not), and exit")
    ap.add_argument("--full", action="store_true", help="build everything and run the whole suite (ctest -j2, interop and GUI tests included: about "
                    "12 min a mutant on an idle 2-core machine) per mutant instead of its own tests")
    ap.add_argument("--add", default="", help="comma-separated working-tree files (from the repo root) copied over the committed copy, "
                    "e.g. a new test not yet committed")
    ap.add_argument("--jobs", type=int, default=2, help="build and ctest parallelism (default 2)")
    ap.add_argument("--keep-going", action="store_true", help="run all of a mutant's tests instead of stopping at the first failure (then 'killed by' "
                    "lists every test that caught it, not only the first ones)")
    ap.add_argument("--mutants-file", default=os.path.join(HERE, "mutants.txt"), help=argparse.SUPPRESS)
    args = ap.parse_args()

    repo = git(HERE, "rev-parse", "--show-toplevel").strip()
    mutants = parse_mutants(args.mutants_file)
    if args.only:
        wanted = [s.strip() for s in args.only.split(",") if s.strip()]
        unknown = [w for w in wanted if w not in {m.id for m in mutants}]
        if unknown:
            die(f"--only: unknown mutant id(s) {', '.join(unknown)}; see tools/mutants.sh --list")
        mutants = [m for m in mutants if m.id in wanted]

    if args.list:
        rows, stale = [], 0
        for m in mutants:
            reason = stale_reason(m, committed_text(repo, m.file))
            stale += bool(reason)
            rows.append([m.id, m.area, m.file, "STALE" if reason else "ok", m.tests, m.desc + (f"\n    STALE: {reason}" if reason else "")])
        heads = ["id", "area", "file", "status", "tests", "mutation"]
        w = [max(len(r[i]) for r in rows + [heads]) for i in range(5)]
        for r in [heads] + rows:
            print("  ".join(c.ljust(x) for c, x in zip(r[:5], w)) + "  " + r[5])
        print(f"{len(mutants)} mutants, {stale} stale (checked against HEAD of {repo})")
        return 1 if stale else 0

    work = os.path.abspath(args.work)
    if os.path.commonpath([work, repo]) == repo:
        die(f"--work {work} lies inside the repository {repo}; choose a folder outside it")
    src, build = os.path.join(work, "src"), os.path.join(work, "src", "build")
    os.makedirs(work, exist_ok=True)
    log = os.path.join(work, "mutants.log")
    with open(log, "w", encoding="utf-8") as f:
        f.write(f"mutants run {time.strftime('%Y-%m-%d %H:%M:%S')} on {repo} HEAD {git(repo, 'rev-parse', 'HEAD').strip()}\n")
    torch_python = os.environ.get("SRS_TORCH_PYTHON", os.path.join(repo, ".venv", "bin", "python"))
    shared_data = os.path.abspath(os.environ.get("SRS_SHARED_DATA", os.path.join(repo, "..", "shared", "data")))
    if not os.path.exists(torch_python):
        die(f"SRS_TORCH_PYTHON {torch_python} does not exist: set it to a python with torch installed (installer/studio.sh makes <repo>/.venv)")
    if not os.path.isdir(shared_data):
        print(f"mutants: warning: {shared_data} is not a folder; tests that need the shared models will SKIP (set SRS_SHARED_DATA)",
              file=sys.stderr)
    extra = [s.strip() for s in args.add.split(",") if s.strip()]

    t_start = time.time()
    changed, added, removed = sync_copy(repo, work, extra)
    print(f"copy: {src} = HEAD {git(repo, 'rev-parse', '--short', 'HEAD').strip()}"
          f"{' + ' + ', '.join(extra) if extra else ''} ({changed} files updated, {added} of them new, {removed} removed); log: {log}", flush=True)
    configure(src, build, torch_python, shared_data, log, refresh=bool(added or removed))

    restorer = Restorer()

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    build_timeout, test_timeout = 4 * 3600, 3 * 3600

    # Which mutants apply; the union of their tests is the baseline.
    outcomes, runnable = {}, []
    for m in mutants:
        path = os.path.join(src, m.file)
        text = None
        if os.path.isfile(path):
            with open(path, "rb") as f:
                text = f.read().decode("utf-8", errors="surrogateescape")
        reason = stale_reason(m, text)
        if reason:
            outcomes[m.id] = Outcome("STALE", note=reason)
        else:
            runnable.append(m)
    if args.full:
        base_sel = []
        names, exes = tests_of(build, base_sel)
    else:
        names, exes = [], []
        for m in runnable:
            n, e = tests_of(build, ctest_selection(m.tests, False))
            names += n
            exes += e
        names, exes = sorted(set(names)), sorted(set(exes))
        base_sel = exact_selection(names) if names else []
    if not names:
        die(f"no tests match the mutants' regexes in {build}", 3)
    targets = [] if args.full else exes + (["app/signround"] if os.path.exists(os.path.join(src, "app")) else [])
    print(f"baseline: building {'everything' if args.full else f'{len(targets)} targets'} ...", flush=True)
    rc, out, secs = build_targets(build, targets, args.jobs, log, build_timeout)
    if rc != 0:
        die(f"the unmutated copy does not build ({secs:.0f} s; see {log}):\n{first_error(out)}", 3)
    print(f"baseline: built in {secs:.0f} s; running {len(names)} tests ...", flush=True)
    failed, skipped, tsecs, out = run_tests(build, base_sel, args.jobs, log, False, test_timeout)
    if failed:
        die(f"the unmutated copy fails {', '.join(failed)} ({tsecs:.0f} s; see {log}): fix that before mutating", 3)
    print(f"baseline: {len(names)} tests pass in {tsecs:.0f} s" + (f"; SKIPPED: {', '.join(skipped)}" if skipped else ""), flush=True)

    try:
        for i, m in enumerate(runnable, 1):
            path = os.path.join(src, m.file)
            with open(path, "rb") as f:
                original = f.read()
            mutated = apply_edits(m, original.decode("utf-8", errors="surrogateescape")).encode("utf-8", errors="surrogateescape")
            restorer.arm(path, original)
            with open(path, "wb") as f:
                f.write(mutated)
            sel = ctest_selection(m.tests, args.full)
            names, exes = tests_of(build, sel)
            print(f"[{i}/{len(runnable)}] {m.id}: building ...", end="", flush=True)
            if not names:
                restorer.restore()
                outcomes[m.id] = Outcome("not run", note=f"no test matches {m.tests}")
                print(" no test matches its regex")
                continue
            tg = [] if args.full else exes + (["app/signround"] if os.path.exists(os.path.join(src, "app")) else [])
            rc, out, bsecs = build_targets(build, tg, args.jobs, log, build_timeout)
            if rc != 0:
                restorer.restore()
                outcomes[m.id] = Outcome("build error", build_s=bsecs, note=first_error(out))
                print(f" build error ({bsecs:.0f} s): {first_error(out)}")
                continue
            print(f" {bsecs:.0f} s; testing {len(names)} ...", end="", flush=True)
            failed, skipped, tsecs, out = run_tests(build, sel, args.jobs, log, not args.keep_going, test_timeout)
            restorer.restore()
            if failed:
                outcomes[m.id] = Outcome("killed", killed_by=", ".join(failed), build_s=bsecs, test_s=tsecs)
                print(f" killed by {', '.join(failed)} ({tsecs:.0f} s)", flush=True)
            else:
                note = f"skipped: {', '.join(skipped)}" if skipped else ""
                outcomes[m.id] = Outcome("SURVIVED", build_s=bsecs, test_s=tsecs, note=note)
                print(f" SURVIVED {len(names)} tests ({tsecs:.0f} s)", flush=True)
    except KeyboardInterrupt:
        print("\ninterrupted: restoring the mutated file", file=sys.stderr)
        for m in runnable:
            outcomes.setdefault(m.id, Outcome("not run", note="interrupted"))
    finally:
        restorer.restore()

    rows = table_rows([m for m in parse_mutants(args.mutants_file) if m.id in outcomes], outcomes)
    total = time.time() - t_start
    summary = summary_line(outcomes)
    print()
    print(text_table(rows))
    print(f"\n{summary} ({total / 60:.1f} min)")
    head = git(repo, "rev-parse", "--short", "HEAD").strip()
    with open(os.path.join(work, "mutants.md"), "w", encoding="utf-8") as f:
        mode = "--full (whole suite per mutant)" if args.full else "default (each mutant's own tests, -LE interop)"
        f.write(f"Mutation check of HEAD {head}{' + ' + ', '.join(extra) if extra else ''}, {time.strftime('%Y-%m-%d %H:%M')}, "
                f"mode {mode}, {total / 60:.1f} min\n\n{md_table(rows)}\n\n{summary}\n")
    print(f"table written to {os.path.join(work, 'mutants.md')}")
    bad = [o for o in outcomes.values() if o.result != "killed"]
    return 1 if bad else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nmutants: interrupted (no mutant was applied at that point, or it has been restored)", file=sys.stderr)
        sys.exit(130)
