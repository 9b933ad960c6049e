"""scripts/bench_packs.py writes only its own section of docs/benchmarks.md."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_packs.py"


@pytest.fixture
def bench(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_packs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "REPORT", tmp_path / "benchmarks.md")
    return module


def _results() -> dict:
    figures = {"full": 28, "full-100": 104, "per-page-10": 10, "per-page-100": 100}
    return {
        case: {
            "case": case,
            "pages": pages,
            "cold_seconds": pages * 0.09,
            "warm_seconds": pages * 0.07,
            "warm_cpu_seconds": pages * 0.07,
            "peak_mb": 150.0,
        }
        for case, pages in figures.items()
    }


def test_it_creates_the_file_with_its_section(bench):
    bench.write_section(bench._section(_results(), 5))
    text = bench.REPORT.read_text()
    assert text.startswith("# Benchmarks\n\n## PDF packs\n")
    assert "| Full workshop pack | 28 | 2.52 | 1.96 | 1.96 | 70 | 150 |" in text
    assert "Target under 3 s: met warm, met from cold." in text
    assert "Target under 500 MB: met." in text


def test_it_replaces_its_own_section_and_keeps_the_others(bench):
    bench.REPORT.write_text(
        "# Benchmarks\n\n## Pages\n\np50 figures by someone else\n\n"
        "## PDF packs\n\nold figures\n\n## Exports\n\nmore figures\n"
    )
    bench.write_section(bench._section(_results(), 5))
    text = bench.REPORT.read_text()
    assert "old figures" not in text
    assert "## Pages\n\np50 figures by someone else\n\n## PDF packs\n" in text
    assert text.rstrip().endswith("## Exports\n\nmore figures")
    assert text.count("## PDF packs") == 1
