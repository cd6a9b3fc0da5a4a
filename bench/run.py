"""Benchmarks: ours against a baseline in the same run, medians and ratios, into RESULTS.md.

    python bench/run.py [--sizes 2000,20000,100000] [--corpus DIR] [--quick]

For each size a synthetic corpus is made (bench/make_corpus.py, cached under
/tmp/reader-bench) or the given folder is used. Measured, each beside its baseline:
full build (vs bare Whoosh, same schema and writer), no-change index, 1% changed,
search p50/p95 with snippets (vs `rg -l -i`), app first frame (vs a bare Textual app),
list replace and cursor moves, key-to-frame while a build runs, peak memory.
The machine is shared and noisy: read the ratios and medians, not single times.
"""

from __future__ import annotations

import argparse
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
PY = sys.executable
READER = [PY, "-m", "reader"]
CACHE = Path(tempfile.gettempdir()) / "reader-bench"

# Run a command, report wall time and the peak RSS of its largest process (KB).
MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)\n"
)


def measure(command: list[str], env: dict | None = None) -> tuple[float, float]:
    out = subprocess.run([PY, "-c", MEASURE, *command], capture_output=True, text=True,
                         env=env, check=True).stdout.split()
    if out[2] != "0":
        raise RuntimeError(f"{command} exited {out[2]}")
    return float(out[0]), int(out[1]) / 1024


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


def queries(folder: Path, count: int, seed: int = 7) -> list[tuple[str, str | None]]:
    """(query, the word for ripgrep or None) from words that occur in the corpus."""
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
    out: list[tuple[str, str | None]] = []
    for i in range(count):
        kind = i % 5
        a, b = rng.choice(words), rng.choice(words)
        if kind == 0:
            out.append((a, a))
        elif kind == 1:
            out.append((f"{a} {b}", None))
        elif kind == 2:
            out.append((f'"{a} {b}"', None))
        elif kind == 3:
            out.append((f"title:{rng.choice(titles).split()[0] if titles else a}", None))
        else:
            out.append((f"{a[:-1]}x~", None))
    return out


def bench_search(folder: Path, index_dir: Path, count: int, rg_runs: int) -> dict:
    from reader.core.index import CorpusIndex
    from reader.core.search import QueryError, Searcher

    index = CorpusIndex(folder, index_dir).open()
    searcher = Searcher(index)
    qs = queries(folder, count)
    times = []
    for text, _ in qs:
        started = time.perf_counter()
        try:
            searcher.search(text, limit=20)
        except QueryError:
            pass
        times.append(time.perf_counter() - started)
    rg = shutil.which("rg")
    rg_times = []
    ours_single = []
    if rg:
        singles = [word for _, word in qs if word][:rg_runs]
        for word in singles:
            started = time.perf_counter()
            subprocess.run([rg, "-l", "-i", word, str(folder)], stdout=subprocess.DEVNULL)
            rg_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            searcher.search(word, limit=20)
            ours_single.append(time.perf_counter() - started)
    return {
        "queries": len(times), "p50": median(times), "p95": pct(times, 0.95),
        "rg_p50": median(rg_times) if rg_times else None,
        "ours_single_p50": median(ours_single) if ours_single else None,
    }


APP_PROBE = r'''
import asyncio, json, resource, sys, time
from pathlib import Path
launched = float(sys.argv[4])
mode, corpus, index_dir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
result = {}
if mode == "bare":
    from textual.app import App
    from textual.widgets import Static
    class Bare(App):
        def compose(self):
            yield Static("hello")
        def on_mount(self):
            self.call_after_refresh(self.done)
        def done(self):
            result["first_frame"] = time.time() - launched
            self.exit()
    Bare().run(headless=True)
else:
    from reader.core.settings import Settings
    from reader.tui.app import ReaderApp
    async def main():
        app = ReaderApp(corpus, index_dir=index_dir, settings=Settings(),
                        index_in_background=(mode == "build"))
        async with app.run_test(size=(120, 36)) as pilot:
            while not app.article_list.rows:
                await pilot.pause(0.005)
            await pilot.pause()
            result["first_frame"] = time.time() - launched
            listing = app.article_list
            if mode == "app":
                rows = list(listing.rows)
                started = time.perf_counter()
                listing.set_rows(rows[::-1]); await pilot.pause()
                result["replace"] = time.perf_counter() - started
                result["rows"] = len(rows)
                moves = []
                for _ in range(200):
                    started = time.perf_counter()
                    await pilot.press("j")
                    moves.append(time.perf_counter() - started)
                result["cursor"] = sorted(moves)
            else:
                app.action_rebuild()
                while not app.indexing:
                    await pilot.pause(0.01)
                keys = []
                while app.indexing and len(keys) < 400:
                    started = time.perf_counter()
                    await pilot.press("j" if len(keys) % 2 else "k")
                    keys.append(time.perf_counter() - started)
                    await pilot.pause(0.02)
                result["keys"] = sorted(keys)
            app.exit()
    asyncio.run(main())
result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
'''


def app_probe(mode: str, folder: Path, index_dir: Path, env: dict) -> dict:
    out = subprocess.run([PY, "-c", APP_PROBE, mode, str(folder), str(index_dir),
                          repr(time.time())], capture_output=True, text=True, env=env,
                         timeout=1800)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(lines[-1])


def run_size(label: str, folder: Path, args, work: Path) -> dict:
    env = dict(os.environ, XDG_CACHE_HOME=str(work / "cache"), XDG_DATA_HOME=str(work / "data"),
               XDG_CONFIG_HOME=str(work / "config"))
    index_dir = work / "index"
    bare_dir = work / "bare"
    row: dict = {"size": label}
    repeats = 1 if args.quick else 2
    ours, bare = [], []
    for _ in range(repeats):
        t, mem = measure([*READER, "index", "--rebuild", "--corpus", str(folder),
                          "--index-dir", str(index_dir)], env)
        ours.append((t, mem))
        t, mem = measure([PY, str(HERE / "bare_whoosh.py"), str(folder), str(bare_dir)], env)
        bare.append((t, mem))
    row["build"] = median(t for t, _ in ours)
    row["build_bare"] = median(t for t, _ in bare)
    row["build_mem_mb"] = max(m for _, m in ours)
    row["build_bare_mem_mb"] = max(m for _, m in bare)
    shutil.rmtree(bare_dir, ignore_errors=True)

    row["nochange"] = median(measure([*READER, "index", "--corpus", str(folder), "--index-dir",
                                      str(index_dir)], env)[0] for _ in range(3))
    files = sorted(folder.rglob("*.txt"))
    rng = random.Random(3)
    for path in rng.sample(files, max(1, len(files) // 100)):
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("\nUpdated paragraph for the benchmark.\n")
    row["update1pct"] = measure([*READER, "index", "--corpus", str(folder), "--index-dir",
                                 str(index_dir)], env)[0]

    row.update({f"search_{k}": v for k, v in bench_search(
        folder, index_dir, 200, 10 if args.quick else 20).items()})

    bare_frames, app_frames = [], []
    for _ in range(3):
        bare_frames.append(app_probe("bare", folder, index_dir, env)["first_frame"])
        probe = app_probe("app", folder, index_dir, env)
        app_frames.append(probe["first_frame"])
    row["frame"] = median(app_frames)
    row["frame_bare"] = median(bare_frames)
    row["replace"] = probe["replace"]
    row["cursor_p95"] = pct(probe["cursor"], 0.95)
    row["app_mem_mb"] = probe["maxrss_mb"]
    during = app_probe("build", folder, index_dir, env)
    row["keys_during_build"] = len(during["keys"])
    row["key_p99"] = pct(during["keys"], 0.99) if during["keys"] else None
    row["key_p50"] = median(during["keys"]) if during["keys"] else None
    return row


def fmt_ms(seconds) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def write_results(rows: list[dict], command: str) -> str:
    import textual
    import whoosh

    lines = [
        "# Benchmark results",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},"
        f" Whoosh {whoosh.versionstring()}, Textual {textual.__version__}; shared and noisy,"
        " so compare the ratios (ours / baseline, measured in the same run) and medians.",
        f"Command: `{command}`",
        "",
        "| size | build (bare Whoosh) | overhead | build peak MB (bare) | no-change index | 1% changed |"
        " search p50 / p95 | rg -l -i p50 | rg / ours | first frame (bare Textual) | ratio |"
        " list replace | cursor p95 | key p50 / p99 during build | app MB |",
        "|" + "---|" * 15,
    ]
    for r in rows:
        ratio_rg = (r["search_rg_p50"] / r["search_ours_single_p50"]
                    if r.get("search_rg_p50") and r.get("search_ours_single_p50") else None)
        lines.append(
            f"| {r['size']} | {fmt_ms(r['build'])} ({fmt_ms(r['build_bare'])}) |"
            f" {r['build'] / r['build_bare'] - 1:+.0%} |"
            f" {r['build_mem_mb']:,.0f} ({r['build_bare_mem_mb']:,.0f}) |"
            f" {fmt_ms(r['nochange'])} | {fmt_ms(r['update1pct'])} |"
            f" {fmt_ms(r['search_p50'])} / {fmt_ms(r['search_p95'])} |"
            f" {fmt_ms(r['search_rg_p50'])} | {'—' if ratio_rg is None else f'{ratio_rg:,.0f}x'} |"
            f" {fmt_ms(r['frame'])} ({fmt_ms(r['frame_bare'])}) | {r['frame'] / r['frame_bare']:.1f}x |"
            f" {fmt_ms(r['replace'])} | {fmt_ms(r['cursor_p95'])} |"
            f" {fmt_ms(r['key_p50'])} / {fmt_ms(r['key_p99'])} ({r['keys_during_build']} keys) |"
            f" {r['app_mem_mb']:,.0f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="2000,20000,100000")
    parser.add_argument("--corpus", type=Path, help="measure this folder instead")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
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
