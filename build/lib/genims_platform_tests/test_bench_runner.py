"""The benchmark runner's bookkeeping, with benchmarks defined here (no database involved):
one report in Markdown and JSON, figures next to baselines and targets, failures recorded and
the run continued."""

from __future__ import annotations

import argparse
import json
import os

import pytest

from benchmarks.run import (
    BENCHMARKS,
    Benchmark,
    Figure,
    generic_figures,
    main,
    parse_scales,
    report_document,
    report_markdown,
    run_benchmarks,
    select,
    write_report,
)

SECRET = "bench-Secr3t-pw"
META = {"stamp": "20260101T000000Z", "started_at": "2026-01-01T00:00:00+00:00", "scales": []}


def scaled_call(module, scale):
    """A benchmark whose time grows with the scale and whose rate is measured twice."""
    return {"seconds": 40.0 * scale, "rate": 900.0, "raw_rate": 1000.0}


def scaled_figures(result, scale):
    return [
        Figure(
            "refresh",
            result["seconds"],
            "s",
            baseline=result["seconds"] / 4,
            baseline_name="physical limit",
            target=60.0,
            target_scale=1.0,
        ),
        Figure(
            "load rate",
            result["rate"],
            "rows/s",
            baseline=result["raw_rate"],
            baseline_name="raw copy",
            better="higher",
            target=0.95,
            target_of="ratio",
        ),
    ]


def failing_call(module, scale):
    os.environ["GENIMS_BENCH_LEAK"] = "set by a benchmark"
    raise RuntimeError(f"could not connect with password {SECRET}\nsecond line of the driver")


def unscaled_call(module, scale):
    os.environ["GENIMS_BENCH_LEAK"] = "set by a benchmark"
    return {"phase": {"elapsed_s": 2.5, "events_per_s": 1200}, "label": "text", "ok": True}


ENTRIES = [
    Benchmark("scaled", "grows with the plant", scaled_call, None, True, scaled_figures),
    Benchmark("failing", "always fails", failing_call, None, False, scaled_figures),
    Benchmark("missing", "module not written", lambda m, s: {}, "benchmarks.no_such_module"),
    Benchmark("unscaled", "takes no scale", unscaled_call, None, False),
]


@pytest.fixture
def outcomes(monkeypatch):
    monkeypatch.setenv("MYSQL_REPORTING_PASSWORD", SECRET)
    monkeypatch.delenv("GENIMS_BENCH_LEAK", raising=False)
    return run_benchmarks(ENTRIES, [0.1, 1.0])


def test_runs_each_scaled_entry_per_scale_and_the_others_once(outcomes):
    assert [(o.name, o.scale) for o in outcomes] == [
        ("scaled", 0.1),
        ("scaled", 1.0),
        ("failing", None),
        ("missing", None),
        ("unscaled", None),
    ]
    assert [o.status for o in outcomes] == ["ok", "ok", "FAILED", "FAILED", "ok"]


def test_failures_keep_the_first_line_without_secrets_and_the_run_goes_on(outcomes):
    failing = outcomes[2]
    assert failing.error == "RuntimeError: could not connect with password ***"
    assert SECRET not in failing.error
    missing = outcomes[3]
    assert missing.error.startswith("ModuleNotFoundError: ")
    assert "benchmarks.no_such_module" in missing.error
    assert outcomes[4].result["phase"]["elapsed_s"] == 2.5


def test_a_benchmark_cannot_change_the_next_ones_environment(outcomes):
    assert "GENIMS_BENCH_LEAK" not in os.environ
    assert os.environ["MYSQL_REPORTING_PASSWORD"] == SECRET


def test_ratio_and_target_verdicts():
    at_target_scale = Figure("t", 61.0, "s", baseline=20.0, target=60.0, target_scale=1.0)
    assert at_target_scale.ratio == pytest.approx(61.0 / 20.0)
    assert at_target_scale.status(1.0) == "miss"
    assert at_target_scale.status(0.1) == "n/a"
    assert Figure("t", 60.0, "s", target=60.0).status(None) == "pass"
    rate = Figure("r", 690.0, "rows/s", baseline=1000.0, better="higher", target=0.7,
                  target_of="ratio")  # fmt: skip
    assert rate.ratio == pytest.approx(0.69)
    assert rate.status(None) == "miss"
    assert Figure("r", 700.0, baseline=1000.0, better="higher", target=0.7,
                  target_of="ratio").status(None) == "pass"  # fmt: skip
    assert Figure("no value", None, target=1.0).status(None) == "miss"
    assert Figure("no target", 5.0, baseline=0.0).ratio is None
    assert Figure("no target", 5.0).status(None) == ""


def test_the_report_is_one_json_and_one_markdown_file(outcomes, tmp_path):
    document = report_document(outcomes, META, ENTRIES)
    markdown_path, json_path = write_report(document, tmp_path)
    assert markdown_path.name == "report-20260101T000000Z.md"
    assert json_path.name == "report-20260101T000000Z.json"
    assert (tmp_path / "latest.md").read_text() == markdown_path.read_text()
    assert (tmp_path / "latest.json").read_text() == json_path.read_text()

    saved = json.loads(json_path.read_text())
    assert saved["summary"] == {
        "benchmarks": 5,
        "failed": 2,
        "figures": 6,
        "pass": 1,
        "miss": 2,
        "not_applicable": 1,
    }
    by_run = {(b["name"], b["scale"]): b for b in saved["benchmarks"]}
    small = {f["name"]: f for f in by_run["scaled", 0.1]["figures"]}
    full = {f["name"]: f for f in by_run["scaled", 1.0]["figures"]}
    # 4.0 s against a baseline of a quarter of it; the SF1 target is not judged at SF0.1.
    assert small["refresh"]["value"] == pytest.approx(40.0 * 0.1)
    assert small["refresh"]["ratio"] == pytest.approx(4.0)
    assert small["refresh"]["status"] == "n/a"
    assert full["refresh"]["status"] == "pass"
    assert full["load rate"]["ratio"] == pytest.approx(0.9)
    assert full["load rate"]["status"] == "miss"
    assert small["load rate"]["status"] == "miss"
    assert by_run["failing", None]["status"] == "FAILED"
    assert by_run["failing", None]["figures"] == []
    assert by_run["missing", None]["error"].startswith("ModuleNotFoundError")
    unscaled = {f["name"]: f for f in by_run["unscaled", None]["figures"]}
    assert set(unscaled) == {"phase.elapsed_s", "phase.events_per_s"}
    assert unscaled["phase.events_per_s"]["better"] == "higher"
    assert unscaled["phase.elapsed_s"]["unit"] == "s"

    text = markdown_path.read_text()
    assert text.startswith("# Benchmark report\n")
    failed_row = "| failing | - | **FAILED**: RuntimeError: could not connect with password *** |"
    assert failed_row in text
    assert SECRET not in text and SECRET not in json_path.read_text()
    assert "| refresh | 40 s | 10 s (physical limit) | 4x | ≤ 60 s at SF1 | pass |" in text
    assert "| refresh | 4 s | 1 s (physical limit) | 4x | ≤ 60 s at SF1 | n/a |" in text
    assert (
        "| load rate | 900 rows/s | 1,000 rows/s (raw copy) | 0.9x | ratio ≥ 0.95x | miss |" in text
    )
    assert text.count("## scaled (SF") == 2


def test_markdown_rows_cannot_break_the_table():
    document = report_document(
        [],
        {"scales": [0.1]},
    )
    document["benchmarks"] = [
        {
            "name": "odd",
            "description": "",
            "scale": None,
            "status": "FAILED",
            "error": "ValueError: a | b",
            "seconds": 1.0,
            "figures": [],
        }
    ]
    assert "**FAILED**: ValueError: a \\| b" in report_markdown(document)


def test_generic_figures_take_every_number_of_a_nested_result():
    figures = generic_figures({"a": {"restore_mb_per_s": 80, "dump_s": 3}, "n": True, "x": [1]})
    assert [(f.name, f.value, f.unit) for f in figures] == [
        ("a.restore_mb_per_s", 80.0, "/s"),
        ("a.dump_s", 3.0, "s"),
    ]
    assert generic_figures("printed only") == []


def test_scales_and_selection_are_validated():
    assert parse_scales("0.1,1,3") == [0.1, 1.0, 3.0]
    for bad in ("0", "-1", "x", "1,,3"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_scales(bad)
    assert [e.name for e in select(BENCHMARKS, "analytics,reporting")] == [
        "reporting",
        "analytics",
    ]
    assert select(BENCHMARKS, "") == list(BENCHMARKS)
    with pytest.raises(argparse.ArgumentTypeError, match="unknown benchmark"):
        select(BENCHMARKS, "reporting,nope")
    with pytest.raises(SystemExit):
        main(["--only", "nope"])


def test_every_registered_benchmark_has_a_distinct_name_and_a_module():
    names = [e.name for e in BENCHMARKS]
    assert len(set(names)) == len(names)
    assert all(e.module and e.module.startswith("benchmarks.") for e in BENCHMARKS)
    assert {"reporting", "analytics", "audit", "bulk_load", "backup", "report"} <= set(names)
