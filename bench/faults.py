"""Faults against a real collection, as issue 19 checks them: every run after a fault makes
the index exactly what a fresh build makes.

    python bench/faults.py [--corpus DIR]... [--size 4000] [--only NAME]... [--quick]

For each corpus (default: /work/shared/corpora/lee and a synthetic one of ``--size``
articles made by bench/make_corpus.py), a clean build is timed (T), then:

- kills:   ``reader index`` killed (SIGKILL) at 10%, 30%, 50%, 70% and 90% of T;
- writers: a writer process killed at 40% and 80% of a build's progress;
- disk:    an update of 1,500 changed files (or every file of a smaller corpus) with 2 MB,
           then 1 MB free on a tmpfs (root only), then again once there is room;
- damage:  every derived file (each word list, the word lists' record, the listing)
           deleted, truncated, garbled in turn.

After each fault, ``reader index`` runs again, and the index must equal a fresh build of the
same folder: the stored path, size, mtime and hash of every article, and the results of
common-word and wildcard queries. Every command's stderr is kept (its one line), none may
print a traceback, and each must end within 3 T (else it is counted a hang and killed).
``--quick``: one kill point, one writer kill, the 2 MB disk, one damage of each file.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_corpus import cached_corpus  # noqa: E402

LEE = Path("/work/shared/corpora/lee")
#: Common words and wildcards of news text (lee's and make_corpus.py's alike).
QUERIES = ("government", "market", "said", "police", "trade deal", "pres*", "gov*", "mark*",
           "elect*", "t*")


class Run:
    """One ``reader`` command: its status, output, seconds, and whether it hung."""

    def __init__(self, args: list[str], limit: float) -> None:
        self.args = args
        started = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, "-m", "reader", *args], capture_output=True,
                                  text=True, timeout=limit)
            self.status, self.out, self.err, self.hung = (done.returncode, done.stdout,
                                                          done.stderr, False)
        except subprocess.TimeoutExpired as exc:
            self.status, self.out, self.err, self.hung = None, str(exc.stdout or ""), str(
                exc.stderr or ""), True
        self.seconds = time.perf_counter() - started

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.err or "Traceback" in self.out

    @property
    def line(self) -> str:
        lines = self.err.strip().splitlines()
        return " / ".join(lines)[:160] if lines else ""


def index_args(corpus: Path, index_dir: Path, *extra: str) -> list[str]:
    return ["index", "--corpus", str(corpus), "--index-dir", str(index_dir), *extra]


def state(corpus: Path, index_dir: Path) -> dict:
    """What the index holds, and what the queries find in it (opened, not updated)."""
    from reader.core.index import CorpusIndex
    from reader.core.search import Searcher

    index = CorpusIndex(corpus, index_dir).open()
    with index.ix.searcher() as searcher:
        stored = sorted((f["path"], f["size"], f["mtime_ns"], f["hash"])
                        for f in searcher.all_stored_fields())
    searcher = Searcher(index)
    found = {q: sorted(h.path for h in searcher.search(q, limit=0).hits) for q in QUERIES}
    listed = index._read_listing()
    return {"stored": stored, "found": found, "listing matches": listed is not None
            and sorted((p, r.size, r.mtime_ns, r.hash) for p, r in listed.items()) == stored}


class Bench:
    def __init__(self, corpus: Path, scratch: Path) -> None:
        self.corpus = corpus
        self.scratch = scratch
        self.rows: list[dict] = []
        fresh = scratch / "fresh"
        run = Run(index_args(corpus, fresh), 3600)
        assert run.status == 0, run.err
        self.clean = run.seconds
        self.limit = max(30.0, 3 * self.clean)
        self.fresh = state(corpus, fresh)
        self.size = len(self.fresh["stored"])

    def fresh_of(self, corpus: Path) -> dict:
        folder = Path(tempfile.mkdtemp(dir=self.scratch))
        run = Run(index_args(corpus, folder), 3600)
        assert run.status == 0, run.err
        return state(corpus, folder)

    def record(self, name: str, fault: Run | None, after: Run, corpus: Path, index_dir: Path,
               expected: dict | None = None) -> None:
        got = state(corpus, index_dir)
        expected = expected or self.fresh
        missing = len({s[0] for s in expected["stored"]} - {s[0] for s in got["stored"]})
        row = {
            "fault": name,
            "status": "-" if fault is None else ("hung" if fault.hung else fault.status),
            "says": "" if fault is None else fault.line,
            "next run": "hung" if after.hung else after.status,
            "next says": after.line,
            "exact": got["stored"] == expected["stored"] and got["found"] == expected["found"]
            and got["listing matches"],
            "missing": missing,
            "tracebacks": sum(r.traceback for r in (fault, after) if r is not None),
            "seconds": max(r.seconds for r in (fault, after) if r is not None),
        }
        self.rows.append(row)
        print(json.dumps(row), flush=True)

    # --- the faults ---------------------------------------------------------------------

    def kills(self, fractions: list[float]) -> None:
        for fraction in fractions:
            index_dir = self.scratch / f"kill-{fraction}"
            proc = subprocess.Popen([sys.executable, "-m", "reader",
                                     *index_args(self.corpus, index_dir)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            time.sleep(fraction * self.clean)
            proc.kill()
            proc.communicate()
            after = Run(index_args(self.corpus, index_dir), self.limit)
            self.record(f"reader index killed at {fraction:.0%} of T", None, after, self.corpus,
                        index_dir)

    def writers(self, fractions: list[float]) -> None:
        for fraction in fractions:
            index_dir = self.scratch / f"writer-{fraction}"
            started = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "reader",
                                     *index_args(self.corpus, index_dir, "--progress-json")],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            assert proc.stdout is not None
            killed = None
            for line in proc.stdout:
                event = json.loads(line)
                if event.get("event") == "progress" and event["done"] >= fraction * self.size:
                    kids = _writer_processes(proc.pid)
                    if kids:
                        os.kill(kids[0], signal.SIGKILL)
                        killed = kids[0]
                        break
            try:
                out, err = proc.communicate(timeout=self.limit)
                fault = _finished(proc, out, err, time.perf_counter() - started)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
                fault = _finished(proc, out, err, time.perf_counter() - started, hung=True)
            after = Run(index_args(self.corpus, index_dir), self.limit)
            name = f"a writer process killed at {fraction:.0%}" + (
                "" if killed else " (none was running: too small a corpus)")
            self.record(name, fault, after, self.corpus, index_dir)

    def disk(self, free_sizes: list[int]) -> None:
        if os.geteuid() != 0 or not shutil.which("mount"):
            print("disk: skipped (needs root to mount a tmpfs)", flush=True)
            return
        for free in free_sizes:
            corpus = self.scratch / f"disk-corpus-{free}"
            shutil.rmtree(corpus, ignore_errors=True)
            shutil.copytree(self.corpus, corpus)
            mount = self.scratch / f"disk-{free}"
            mount.mkdir(exist_ok=True)
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2g", "tmpfs", str(mount)],
                           check=True)
            try:
                index_dir = mount / "index"
                assert Run(index_args(corpus, index_dir), 3600).status == 0
                changed = sorted(corpus.rglob("*.txt"))[:1500]
                for path in changed:
                    text = path.read_text("utf-8", "replace")
                    path.write_text(text + "\nAn added line about the harbour budget.\n")
                    st = path.stat()
                    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
                filler = mount / "filler"
                with open(filler, "wb") as handle:
                    handle.write(b"\0" * max(0, shutil.disk_usage(mount).free - free))
                fault = Run(index_args(corpus, index_dir), self.limit)
                filler.unlink()
                after = Run(index_args(corpus, index_dir), self.limit)
                self.record(f"{len(changed):,} files changed, {free / 2**20:g} MB free", fault,
                            after, corpus, index_dir, self.fresh_of(corpus))
            finally:
                subprocess.run(["umount", "-l", str(mount)], check=False)
                shutil.rmtree(corpus, ignore_errors=True)

    def damage(self, quick: bool) -> None:
        built = self.scratch / "fresh"
        active = built / json.loads((built / "meta.json").read_text())["active"]
        files = sorted(p.relative_to(built) for p in (active / "words").iterdir())
        files.append((active / "listing.pickle").relative_to(built))
        kinds = {"deleted": Path.unlink, "truncated": _truncate, "garbled": _garble}
        for n, rel in enumerate(files):
            for kind, how in kinds.items():
                if quick and kind != list(kinds)[n % len(kinds)]:
                    continue
                index_dir = self.scratch / f"damage-{n}-{kind}"
                shutil.rmtree(index_dir, ignore_errors=True)
                shutil.copytree(built, index_dir)
                how(index_dir / rel)
                after = Run(index_args(self.corpus, index_dir), self.limit)
                self.record(f"{rel.name} {kind}", None, after, self.corpus, index_dir)


def _finished(proc: subprocess.Popen, out: str, err: str, seconds: float,
              hung: bool = False) -> Run:
    run = Run.__new__(Run)
    run.args, run.status, run.out, run.err = proc.args, proc.returncode, out, err
    run.hung, run.seconds = hung, seconds
    return run


def _writer_processes(pid: int) -> list[int]:
    """The processes forked by ``pid`` (its command line), its writer processes."""
    def cmdline(p: int) -> bytes:
        try:
            return Path(f"/proc/{p}/cmdline").read_bytes()
        except OSError:
            return b""

    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(k) for k in found.split() if cmdline(int(k)) == cmdline(pid)]


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


def _garble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 16] = os.urandom(min(16, len(data) - middle))
    path.write_bytes(bytes(data))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, action="append")
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--only", action="append",
                        choices=["kills", "writers", "disk", "damage"])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    corpora = args.corpus or [LEE, cached_corpus(args.size)]
    only = set(args.only or ["kills", "writers", "disk", "damage"])
    failures = 0
    for corpus in corpora:
        with tempfile.TemporaryDirectory(prefix="reader-faults-") as scratch:
            bench = Bench(corpus, Path(scratch))
            print(f"# {corpus}: {bench.size:,} articles, a clean build in {bench.clean:.1f} s",
                  flush=True)
            if "kills" in only:
                bench.kills([0.5] if args.quick else [0.1, 0.3, 0.5, 0.7, 0.9])
            if "writers" in only:
                bench.writers([0.4] if args.quick else [0.4, 0.8])
            if "disk" in only:
                bench.disk([2 << 20] if args.quick else [2 << 20, 1 << 20])
            if "damage" in only:
                bench.damage(args.quick)
            print(f"\n{corpus}: {bench.size:,} articles, clean build {bench.clean:.1f} s\n")
            print("| fault | status | its line | next run | exact | tracebacks | s |")
            print("|---|---|---|---|---|---|---|")
            for row in bench.rows:
                print(f"| {row['fault']} | {row['status']} | {row['says']} | {row['next run']}"
                      f" {row['next says']} | {'yes' if row['exact'] else 'NO'}"
                      f" ({row['missing']} missing) | {row['tracebacks']}"
                      f" | {row['seconds']:.1f} |")
                failures += (not row["exact"]) + row["tracebacks"] + (row["next run"] == "hung")
                failures += row["status"] == "hung"
            print()
    print(f"{failures} failures (not exact, tracebacks, hangs)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
