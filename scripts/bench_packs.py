"""Benchmark the workshop pack builds and record the figures in docs/benchmarks.md.

    .venv/bin/python scripts/bench_packs.py            # 5 warm runs per case
    .venv/bin/python scripts/bench_packs.py --runs 2   # quicker

Each case runs in a fresh Python process, as a Celery worker would build it: Django starts, the
pack is laid out once from cold (templates compiled, fonts loaded), then --runs more times
warm. The process's peak resident memory is read at the end. Nothing touches the database:
the builder's render step takes the organisation as an object (with a real PNG logo in a
temporary media folder, fetched through the same local-only fetcher as in production).

Cases:
  full          the standard pack: outline, slides, handouts, sign-in sheet, feedback form
  full-100      the same with a handout set and a feedback form for each of 16 participants
  per-page-10   handouts and feedback form for 2 participants (10 pages)
  per-page-100  the same for 20 participants (100 pages): time per page should stay flat

Only the "## PDF packs" section of docs/benchmarks.md is written; the rest of the file is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REPORT = REPO / "docs" / "benchmarks.md"
SECTION = "## PDF packs"
TARGET_SECONDS, TARGET_MB = 3.0, 500

CASES = {
    "full": {"parts": "all", "participants": 12, "per_participant": False},
    "full-100": {"parts": "all", "participants": 16, "per_participant": True},
    "per-page-10": {"parts": ["handouts", "feedback"], "participants": 2, "per_participant": True},
    "per-page-100": {
        "parts": ["handouts", "feedback"],
        "participants": 20,
        "per_participant": True,
    },
}
LABELS = {
    "full": "Full workshop pack",
    "full-100": "Full pack, a handout set and feedback form per participant (16)",
    "per-page-10": "Handouts + feedback form, 2 participants",
    "per-page-100": "Handouts + feedback form, 20 participants",
}


def _setup_django(media: Path) -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rp_portal.settings")
    os.environ["MEDIA_ROOT"] = str(media)
    import django

    django.setup()


def _logo(media: Path) -> str:
    from PIL import Image, ImageDraw

    (media / "logos").mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (480, 160), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((12, 12, 148, 148), fill=(0x0F, 0x51, 0x61))
    draw.rectangle((170, 60, 468, 100), fill=(0x33, 0x33, 0x33))
    image.save(media / "logos" / "bench.png")
    return "logos/bench.png"


def run_case(name: str, runs: int) -> dict:
    """In the child process: build one case, cold then warm, and report the figures."""
    with tempfile.TemporaryDirectory() as folder:
        media = Path(folder)
        _setup_django(media)
        from groups.models import Organisation
        from groups.workshop_pack.builder import render_workshop_pack
        from groups.workshop_pack.content import PART_KEYS, suggested_minutes

        case = CASES[name]
        organisation = Organisation(
            name="Riverside Youth Services", accent_colour="#0f5161", logo=_logo(media)
        )
        details = {
            "organisation_id": 1,
            "organisation_name": organisation.name,
            "include_logo": True,
            "accent_colour": organisation.accent_colour,
            "contact_email": "rp@riverside.example.org",
            "date": "2026-12-03",
            "start": "09:30",
            "venue": "Room 4, The Hub",
            "length": 180,
            "minutes": suggested_minutes(180),
            "facilitators": ["Fran Okafor", "Sam Lindqvist"],
            "structures": ["multi_agency"],
            "model": "what_so_what_now_what",
            "participants": case["participants"],
            "per_participant": case["per_participant"],
            "note": "Bring a piece of recent work you are happy to talk about.",
            "parts": list(PART_KEYS) if case["parts"] == "all" else case["parts"],
        }

        def build() -> tuple[float, float, int]:
            wall, cpu = time.perf_counter(), time.process_time()
            _pdf, pages = render_workshop_pack(details, organisation)
            return time.perf_counter() - wall, time.process_time() - cpu, pages

        cold_wall, cold_cpu, pages = build()
        warm = [build() for _ in range(runs)]
    return {
        "case": name,
        "pages": pages,
        "cold_seconds": cold_wall,
        "cold_cpu_seconds": cold_cpu,
        "warm_seconds": statistics.median(w for w, _c, _p in warm),
        "warm_cpu_seconds": statistics.median(c for _w, c, _p in warm),
        # Linux reports ru_maxrss in kilobytes.
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        model = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = model.group(1).strip() if model else cpu
    except OSError:
        pass
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{os.cpu_count()} CPU ({cpu}), load average {load} at the start"


def _versions() -> str:
    import weasyprint

    return f"Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}"


def _section(results: dict[str, dict], runs: int) -> str:
    full, full100 = results["full"], results["full-100"]
    small, large = results["per-page-10"], results["per-page-100"]
    per_page = {key: 1000 * r["warm_seconds"] / r["pages"] for key, r in results.items()}
    per_page_cpu = {key: 1000 * r["warm_cpu_seconds"] / r["pages"] for key, r in results.items()}
    flat = per_page["per-page-100"] / per_page["per-page-10"]
    flat_cpu = per_page_cpu["per-page-100"] / per_page_cpu["per-page-10"]
    peak = max(r["peak_mb"] for r in results.values())
    rows = "\n".join(
        f"| {LABELS[key]} | {r['pages']} | {r['cold_seconds']:.2f} | {r['warm_seconds']:.2f} "
        f"| {r['warm_cpu_seconds']:.2f} | {per_page[key]:.0f} | {r['peak_mb']:.0f} |"
        for key, r in results.items()
    )
    verdict = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    lines = [
        SECTION,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `.venv/bin/python scripts/bench_packs.py` "
        f"on {_machine()}; {_versions()}.",
        "",
        f"Each case runs in a fresh process, like a Celery worker: a first (cold) build, then the "
        f"median of {runs} warm builds. Wall time is what a person waits for layout and PDF "
        "writing (the queue and the one-second progress polling come on top); CPU time is the "
        "same work without other processes competing for the machine. Peak memory is the "
        "process's maximum resident set, Django and WeasyPrint included.",
        "",
        "| case | pages | first build (s) | warm build (s) | warm CPU (s) | ms per page | peak memory (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
        rows,
        "",
        f"- Full pack: {full['warm_seconds']:.2f} s warm, {full['cold_seconds']:.2f} s from cold "
        f"({full['warm_cpu_seconds']:.2f} s of CPU) for {full['pages']} pages. Target under "
        f"{TARGET_SECONDS:.0f} s: {verdict(full['warm_seconds'] < TARGET_SECONDS)} warm, "
        f"{verdict(full['cold_seconds'] < TARGET_SECONDS)} from cold.",
        f"- 100-page variant of the full pack: {full100['warm_seconds']:.2f} s for "
        f"{full100['pages']} pages.",
        f"- Time per page from 10 to 100 pages of the same content: "
        f"{per_page['per-page-10']:.0f} ms at {small['pages']} pages, "
        f"{per_page['per-page-100']:.0f} ms at {large['pages']} pages (ratio {flat:.2f} wall, "
        f"{flat_cpu:.2f} CPU): {'flat' if flat_cpu < 1.25 else 'NOT flat'}. Long lists are one short table per page (the sign-in "
        "sheet) or one section per copy, never one giant table split across pages. The per-page "
        "figure falls as pages are added because each part's fixed cost (style sheets, fonts, "
        "writing) is spread wider and the copies repeat text the shaper has cached; the full "
        f"pack and its 100-page variant, mostly different pages, run at {per_page['full']:.0f} "
        f"and {per_page['full-100']:.0f} ms per page.",
        f"- Peak memory: {peak:.0f} MB at most. Target under {TARGET_MB} MB: "
        f"{verdict(peak < TARGET_MB)}.",
    ]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    """Replace this script's section of docs/benchmarks.md (or add it), keeping the rest."""
    existing = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(existing):
        updated = pattern.sub(lambda _match: text + "\n", existing, count=1)
    else:
        updated = existing.rstrip("\n") + "\n\n" + text
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(updated.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="warm builds per case")
    parser.add_argument("--case", choices=sorted(CASES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:  # the child process
        print(json.dumps(run_case(args.case, args.runs)))
        return
    results = {}
    for name in CASES:
        child = subprocess.run(  # noqa: S603 (this script, with our own arguments)
            [sys.executable, __file__, "--case", name, "--runs", str(args.runs)],
            cwd=REPO, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if child.returncode != 0:
            sys.exit(f"{name} failed:\n{child.stderr}")
        results[name] = json.loads(child.stdout.strip().splitlines()[-1])
        r = results[name]
        print(
            f"{name:>13}: {r['pages']:>3} pages, cold {r['cold_seconds']:.2f} s, "
            f"warm {r['warm_seconds']:.2f} s (CPU {r['warm_cpu_seconds']:.2f} s), "
            f"peak {r['peak_mb']:.0f} MB"
        )
    write_section(_section(results, args.runs))
    print(f"Wrote the '{SECTION}' section of {REPORT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
