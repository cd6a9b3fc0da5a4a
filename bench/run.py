"""Benchmarks: ours against a baseline in the same run, medians and ratios, into RESULTS.md.

    python bench/run.py [--sizes 2000,20000,100000] [--corpus DIR] [--quick]

For each size a synthetic corpus is made (bench/make_corpus.py, cached under
/tmp/reader-bench) or the given folder is used. Measured, each beside its baseline:
full build (vs stock Whoosh with its own fields, and vs Whoosh with reader's schema and
speed-ups; the same multi-process writer settings), no-change index, 1% changed,
search p50/p95 with snippets (vs `rg -l -i`), and in a real terminal (tmux, 120x36) the
app's first frame (vs a bare Textual app's) and key-to-frame times, idle and while a
rebuild runs; list replace and peak memory headless. The machine is shared and noisy:
read the ratios and medians, not single times.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from terminal import app_in_terminal, env_for  # noqa: E402

PY = sys.executable
READER = [PY, "-m", "reader"]
#: The builds ours is measured against, each in a process of its own: Whoosh as it comes
#: (a process that never imports reader), and Whoosh with reader's schema and speed-ups.
BASELINES = {"stock": "whoosh_stock.py", "schema": "whoosh_reader_schema.py"}
CACHE = Path(tempfile.gettempdir()) / "reader-bench"

# Run a command, report wall time, the peak RSS of its largest process (KB) and the CPU
# seconds of all its processes (how many cores it kept busy).
MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(time.perf_counter() - t, u.ru_maxrss, rc, u.ru_utime + u.ru_stime)\n"
)


def measure(command: list[str], env: dict | None = None, cpu: bool = False):
    """(seconds, peak MB) of a command; with ``cpu``, also the cores it kept busy."""
    out = subprocess.run([PY, "-c", MEASURE, *command], capture_output=True, text=True,
                         env=env, check=True).stdout.split()
    if out[2] != "0":
        raise RuntimeError(f"{command} exited {out[2]}")
    seconds, mb = float(out[0]), int(out[1]) / 1024
    return (seconds, mb, float(out[3]) / seconds) if cpu else (seconds, mb)


def median(values) -> float:
    return statistics.median(values)


def pct(values, q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def corpus_for(n: int) -> Path:
    folder = CACHE / f"corpus-{n}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([PY, str(HERE / "make_corpus.py"), str(n), str(folder)], check=True)
        (folder / ".complete").write_text("ok")
    return folder


KINDS = ("word", "and", "phrase", "title", "fuzzy")


def queries(folder: Path, count: int, seed: int = 7) -> list[tuple[str, str, str | None]]:
    """(kind, query, the word for ripgrep or None) from words that occur in the corpus."""
    rng = random.Random(seed)
    files = sorted(folder.rglob("*.txt"))
    words: list[str] = []
    titles: list[str] = []
    for path in rng.sample(files, min(200, len(files))):
        lines = path.read_text("utf-8", "replace").splitlines()
        body = [line for line in lines if line and ":" not in line[:8]]
        titles.append(body[0] if body else "")
        words += [w.strip(".,").lower() for w in " ".join(body[1:3]).split() if len(w) > 4]
    words = sorted(set(words))
    out: list[tuple[str, str, str | None]] = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        a, b = rng.choice(words), rng.choice(words)
        if kind == "word":
            out.append((kind, a, a))
        elif kind == "and":
            out.append((kind, f"{a} {b}", None))
        elif kind == "phrase":
            out.append((kind, f'"{a} {b}"', None))
        elif kind == "title":
            out.append((kind, f"title:{rng.choice(titles).split()[0] if titles else a}", None))
        else:
            out.append((kind, f"{a[:-1]}x~", None))
    return out


def bench_search(folder: Path, index_dir: Path, count: int, rg_runs: int) -> dict:
    """Our search as the app runs it (top 20 with snippets, on screen before the matches
    are counted) against ripgrep listing the files that hold the word; then the count the
    app shows a moment later."""
    from reader.core.index import CorpusIndex
    from reader.core.search import QueryError, Searcher

    index = CorpusIndex(folder, index_dir).open()
    searcher = Searcher(index)
    qs = queries(folder, count)
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    counts: list[float] = []
    for kind, text, _ in qs:
        started = time.perf_counter()
        try:
            results = searcher.search(text, limit=20, count=False)
        except QueryError:
            results = None
        times[kind].append(time.perf_counter() - started)
        if results is not None and results.total is None:
            started = time.perf_counter()
            searcher.count(results)
            counts.append(time.perf_counter() - started)
    rg = shutil.which("rg")
    rg_times = []
    ours_single = []
    if rg:
        singles = [word for _, _, word in qs if word][:rg_runs]
        for word in singles:
            started = time.perf_counter()
            subprocess.run([rg, "-l", "-i", word, str(folder)], stdout=subprocess.DEVNULL)
            rg_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            searcher.search(word, limit=20, count=False)
            ours_single.append(time.perf_counter() - started)
    every = [t for kind in KINDS for t in times[kind]]
    result = {
        "queries": len(every), "p50": median(every), "p95": pct(every, 0.95),
        "rg_p50": median(rg_times) if rg_times else None,
        "ours_single_p50": median(ours_single) if ours_single else None,
        "counted": len(counts), "count_p50": median(counts) if counts else None,
        "count_p95": pct(counts, 0.95) if counts else None,
    }
    for kind in KINDS:
        result[f"{kind}_p50"], result[f"{kind}_p95"] = median(times[kind]), pct(times[kind], 0.95)
    return result


APP_PROBE = r"""
import asyncio, json, resource, sys, time
from pathlib import Path
from reader.core.settings import Settings
from reader.tui.app import ReaderApp

corpus, index_dir = Path(sys.argv[1]), Path(sys.argv[2])
result = {}

async def main():
    # As a user gets it: the list from the index, the indexer in its own process.
    app = ReaderApp(corpus, index_dir=index_dir, settings=Settings())
    async with app.run_test(size=(120, 36)) as pilot:
        await asyncio.wait_for(app.main.loader.finished.wait(), 1800)
        await pilot.pause()
        listing = app.main.article_list
        rows = list(listing.rows)
        times = []
        for n in range(7):  # replace every row, and draw the lines a frame needs
            started = time.perf_counter()
            listing.set_rows(rows[::-1] if n % 2 == 0 else rows)
            for y in range(listing.size.height):
                listing.render_line(y)
            times.append(time.perf_counter() - started)
            await pilot.pause()
        result["rows"] = len(rows)
        result["replace"] = sorted(times)[len(times) // 2]
        app.exit()

asyncio.run(main())
result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""


def app_probe(folder: Path, index_dir: Path, env: dict) -> dict:
    out = subprocess.run([PY, "-c", APP_PROBE, str(folder), str(index_dir)],
                         capture_output=True, text=True, env=env, timeout=1800)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(lines[-1])


def show(row: dict) -> None:
    """What is measured so far (a long run that fails later keeps what it had)."""
    print(json.dumps(row, default=str), flush=True)


def run_size(label: str, folder: Path, args, work: Path) -> dict:
    env = dict(os.environ, XDG_CACHE_HOME=str(work / "cache"), XDG_DATA_HOME=str(work / "data"),
               XDG_CONFIG_HOME=str(work / "config"))
    index_dir = work / "index"
    row: dict = {"size": label}
    repeats = args.build_rounds or (1 if args.quick else 2)
    ours: list = []
    baselines: dict[str, list] = {name: [] for name in BASELINES}
    if args.index_dir:  # an index built before (of this very folder): no build measured
        shutil.copytree(args.index_dir, index_dir)
        repeats = 0
        ours = [(None, None, None)]

    def build_ours() -> None:
        ours.append(measure([*READER, "index", "--rebuild", "--corpus", str(folder),
                             "--index-dir", str(index_dir)], env, cpu=True))

    def build_baseline(name: str) -> None:
        if not args.no_baseline_build:
            target = work / f"baseline-{name}"
            baselines[name].append(measure([PY, str(HERE / BASELINES[name]), str(folder),
                                            str(target)], env, cpu=True))
            shutil.rmtree(target, ignore_errors=True)

    builds = [build_ours, *(functools.partial(build_baseline, name) for name in BASELINES)]
    for turn in range(repeats):
        # In rounds, each starting one further along: a busy spell of the machine, or a
        # corpus the first build of a round reads from disk, hits every side alike.
        for build in builds[turn % len(builds):] + builds[:turn % len(builds)]:
            build()
    row["build"] = ours[0][0] if len(ours) == 1 else median(t for t, _, _ in ours)
    row["build_cores"] = ours[0][2] if len(ours) == 1 else median(c for _, _, c in ours)
    row["build_mem_mb"] = ours[0][1] if len(ours) == 1 else max(m for _, m, _ in ours)
    for name, runs in baselines.items():
        if runs:  # the overhead of each round, measured side by side: their median is reported
            row[f"build_{name}_overheads"] = [o[0] / b[0] - 1
                                              for o, b in zip(ours, runs, strict=False)]
        runs = runs or [(None, None, None)]
        row[f"build_{name}"] = runs[0][0] if len(runs) == 1 else median(t for t, _, _ in runs)
        row[f"build_{name}_cores"] = (runs[0][2] if len(runs) == 1
                                      else median(c for _, _, c in runs))
        row[f"build_{name}_mem_mb"] = (runs[0][1] if len(runs) == 1
                                       else max(m for _, m, _ in runs))
    show(row)

    row["nochange"] = median(measure([*READER, "index", "--corpus", str(folder), "--index-dir",
                                      str(index_dir)], env)[0] for _ in range(3))
    files = sorted(folder.rglob("*.txt"))
    updates = []
    for seed in range(3, 3 + (1 if args.quick else 3)):  # a different 1% each time
        rng = random.Random(seed)
        changed = {path: (path.read_bytes(), path.stat()) for path in
                   rng.sample(files, max(1, len(files) // 100))}
        try:
            for path in changed:
                with open(path, "a", encoding="utf-8") as handle:
                    handle.write("\nUpdated paragraph for the benchmark.\n")
            updates.append(measure([*READER, "index", "--corpus", str(folder), "--index-dir",
                                    str(index_dir)], env)[0])
        finally:  # the cached corpus stays as make_corpus.py made it
            for path, (data, st) in changed.items():
                path.write_bytes(data)
                os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        measure([*READER, "index", "--corpus", str(folder), "--index-dir", str(index_dir)], env)
    row["update1pct"], row["update1pct_all"] = median(updates), updates
    show(row)

    row.update({f"search_{k}": v for k, v in bench_search(
        folder, index_dir, 200 if args.quick else 400, 10 if args.quick else 20).items()})

    show(row)
    probe = app_probe(folder, index_dir, env)
    row["replace"] = probe["replace"]
    row["app_mem_mb"] = probe["maxrss_mb"]
    show(row)

    seen = app_in_terminal(READER, folder, index_dir, env_for(env),
                           keys=200 if args.quick else 400, python=PY)
    row["frame"], row["frame_bare"] = seen["frame"], seen["frame_bare"]
    row["cursor_p50"], row["cursor_p95"] = median(seen["keys_idle"]), pct(seen["keys_idle"], .95)
    row["bare_key_p50"] = median(seen["keys_bare"])
    row["bare_key_p95"] = pct(seen["keys_bare"], .95)
    during = seen["keys_build"]
    row["keys_during_build"] = len(during)
    row["key_p50"], row["key_p99"] = median(during), pct(during, 0.99)
    row["key_max"] = max(during)
    bare = seen["keys_bare_build"]
    row["bare_build_p50"], row["bare_build_p99"] = median(bare), pct(bare, 0.99)
    return row


def fmt_ms(seconds) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def write_results(rows: list[dict], command: str) -> str:
    import textual
    import whoosh

    lines = [
        "# Benchmark results",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores,"
        f" Python {platform.python_version()},"
        f" Whoosh {whoosh.versionstring()}, Textual {textual.__version__}; shared and noisy,"
        " so compare the ratios (ours / baseline, measured in the same run) and medians.",
        f"Command: `{command}`",
        "",
        "Builds in rounds, ours and both baselines side by side (each round starting one"
        " further along): stock Whoosh (whoosh-reloaded as it comes, its own field types,"
        " in a process that never imports reader) and Whoosh with reader's schema (reader's"
        " field types, speed-ups and writer, without reader's reading of the articles, its"
        " listing and word lists). An overhead is the median of the rounds' ratios, each"
        " round's in brackets. The 1% change is the median of three updates of a different"
        " 1% (the range in brackets).",
        "",
        "| size | build | stock Whoosh | overhead | Whoosh with reader's schema | overhead |"
        " cores busy (stock, schema) | build peak MB (stock, schema) | no-change index |"
        " 1% changed |",
        "|" + "---|" * 10,
    ]

    def updated(r: dict) -> str:
        runs = r.get("update1pct_all") or [r["update1pct"]]
        spread = f" ({fmt_ms(min(runs))} to {fmt_ms(max(runs))})" if len(runs) > 1 else ""
        return fmt_ms(r["update1pct"]) + spread

    def overhead(r: dict, name: str) -> str:
        rounds = r.get(f"build_{name}_overheads")
        if not rounds:
            return "—"
        return f"{median(rounds):+.0%}" + (
            f" ({', '.join(f'{p:+.0%}' for p in rounds)})" if len(rounds) > 1 else "")

    def of_each(r: dict, key: str, form: str) -> str:
        return ", ".join("—" if r.get(f"build_{name}_{key}") is None
                         else format(r[f"build_{name}_{key}"], form) for name in BASELINES)

    for r in rows:
        if r["build"] is None:
            lines.append(f"| {r['size']} | not measured (a prebuilt index) | — | — | — | — |"
                         f" — | — | {fmt_ms(r['nochange'])} | {updated(r)} |")
            continue
        lines.append(
            f"| {r['size']} | {fmt_ms(r['build'])} | {fmt_ms(r['build_stock'])} |"
            f" {overhead(r, 'stock')} | {fmt_ms(r['build_schema'])} | {overhead(r, 'schema')} |"
            f" {r['build_cores']:.1f} ({of_each(r, 'cores', '.1f')}) |"
            f" {r['build_mem_mb']:,.0f} ({of_each(r, 'mem_mb', ',.0f')}) |"
            f" {fmt_ms(r['nochange'])} | {updated(r)} |"
        )
    lines += [
        "",
        "Search, top 20 with snippets, p50 / p95 by kind of query; ripgrep (`rg -l -i WORD`)"
        " against ours on the same single words; the count of matches, which the app shows"
        " a moment after the results when it takes a second pass (how many queries did):",
        "",
        "| size | all | " + " | ".join(KINDS) + " | rg p50 | ours p50 (words) | rg / ours |"
        " count after p50 / p95 |",
        "|" + "---|" * (len(KINDS) + 6),
    ]
    for r in rows:
        ratio_rg = (r["search_rg_p50"] / r["search_ours_single_p50"]
                    if r.get("search_rg_p50") and r.get("search_ours_single_p50") else None)
        kinds = " | ".join(f"{fmt_ms(r[f'search_{k}_p50'])} / {fmt_ms(r[f'search_{k}_p95'])}"
                           for k in KINDS)
        lines.append(
            f"| {r['size']} | {fmt_ms(r['search_p50'])} / {fmt_ms(r['search_p95'])} | {kinds} |"
            f" {fmt_ms(r['search_rg_p50'])} | {fmt_ms(r['search_ours_single_p50'])} |"
            f" {'—' if ratio_rg is None else f'{ratio_rg:,.0f}x'} |"
            f" {fmt_ms(r.get('search_count_p50'))} / {fmt_ms(r.get('search_count_p95'))}"
            f" ({r.get('search_counted', 0)}) |"
        )
    lines += [
        "",
        "The app in a real terminal (tmux, 120x36): launch to the list on screen against a bare"
        " Textual app's first frame (medians of 3); key press to the app's frame for j/k"
        " (its output as tmux reads it, through a control-mode client),"
        " idle (against a bare Textual app whose j/k change a line: the floor of terminal,"
        " tmux and Textual) and while the app rebuilds the index (against the bare app while"
        " the same build runs beside it); list replace and memory headless:",
        "",
        "| size | first frame (bare Textual) | ratio | keys idle p50 / p95 (bare) |"
        " keys during rebuild p50 / p99 / max | list replace | app MB |",
        "|" + "---|" * 7,
    ]
    for r in rows:
        lines.append(
            f"| {r['size']} | {fmt_ms(r['frame'])} ({fmt_ms(r['frame_bare'])}) |"
            f" {r['frame'] / r['frame_bare']:.1f}x |"
            f" {fmt_ms(r['cursor_p50'])} / {fmt_ms(r['cursor_p95'])}"
            f" ({fmt_ms(r['bare_key_p50'])} / {fmt_ms(r['bare_key_p95'])}) |"
            f" {fmt_ms(r['key_p50'])} / {fmt_ms(r['key_p99'])} / {fmt_ms(r['key_max'])}"
            f" ({r['keys_during_build']} keys; bare {fmt_ms(r.get('bare_build_p50'))} /"
            f" {fmt_ms(r.get('bare_build_p99'))}) |"
            f" {fmt_ms(r['replace'])} | {r['app_mem_mb']:,.0f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,20000,100000")
    parser.add_argument("--corpus", type=Path, help="measure this folder instead")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--build-rounds", "--build-pairs", type=int,
                        help="rounds of builds, ours and each baseline's (default 2; 1 with"
                        " --quick)")
    parser.add_argument("--no-baseline-build", action="store_true",
                        help="skip the baselines' builds (each takes about as long as ours)")
    parser.add_argument("--index-dir", type=Path,
                        help="start from a copy of this index of the (one) size: no builds")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    targets = ([(args.corpus.name, args.corpus)] if args.corpus else
               [(f"{int(n):,}", corpus_for(int(n))) for n in args.sizes.split(",")])
    rows = []
    for label, folder in targets:
        with tempfile.TemporaryDirectory(dir=CACHE) as work:
            print(f"measuring {label} …", flush=True)
            if args.corpus:  # never write into a real corpus: measure a copy
                copy = Path(work) / "corpus"
                shutil.copytree(folder, copy)
                folder = copy
            rows.append(run_size(label, folder, args, Path(work)))
            print(json.dumps(rows[-1], default=str), flush=True)
    text = write_results(rows, "python bench/run.py " + " ".join(sys.argv[1:]))
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
