"""The reconciliation commands, run through click on a ledger of the seed article."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from counterclaim import api
from counterclaim.cli.reconciling import COMMANDS, register
from counterclaim.ingest import pipeline
from counterclaim.ingest.inputs import read_manifest

SEED_SERIES = "russia-ukraine/killed/russia/military"


@pytest.fixture(scope="module")
def group() -> click.Group:
    cli = click.Group("counterclaim")
    register(cli)
    return cli


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> str:
    path = tmp_path_factory.mktemp("ledger") / "seed.db"
    pipeline.ingest(api.open_ledger(str(path)), read_manifest(shared / "seed" / "manifest.jsonl"))
    return str(path)


def invoke(group: click.Group, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(group, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_reconcile_cli_registers_every_command(group: click.Group):
    assert sorted(group.commands) == sorted(c.name for c in COMMANDS if c.name)
    assert set(group.commands) == {
        "series",
        "estimate",
        "plot",
        "calibrate",
        "evaluate-estimates",
        "backtest",
    }
    for command in COMMANDS:
        assert "Example:" in (command.help or ""), command.name


@pytest.mark.shared
def test_reconcile_cli_series_lists_the_seed_series(group: click.Group, seed_db: str):
    code, out, _ = invoke(group, "series", "--db", seed_db, "--format", "json")
    assert code == 0
    rows = {row["id"]: row for row in json.loads(out)}
    row = rows[SEED_SERIES]
    assert (row["conflict"], row["measure"], row["party"], row["role"], row["claims"]) == (
        "russia-ukraine", "killed", "Russia", "military", 2
    )  # fmt: skip
    assert row["low"] <= row["best"] <= row["high"]
    code, out, _ = invoke(group, "series", "--db", seed_db)
    assert code == 0 and SEED_SERIES in out


@pytest.mark.shared
@pytest.mark.parametrize(
    "method", ["model", "latest-monitor", "median-of-claims", "geometric-mean-of-sides", "bounds"]
)
def test_reconcile_cli_estimate_json_for_every_method(group: click.Group, seed_db: str, method: str):
    code, out, _ = invoke(
        group,
        "estimate",
        SEED_SERIES,
        "--db",
        seed_db,
        "--as-of",
        "2022-04-07",
        "--method",
        method,
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert {"low", "best", "high", "as_of", "method", "claims"} <= set(data)
    assert data["method"] == method and data["as_of"] == "2022-04-07"
    assert data["low"] <= data["best"] <= data["high"]
    assert {c["relation"] for c in data["claims"]} == {"own", "adversary"}
    if method == "model":
        assert data["low"] >= 1351 and data["high"] <= 19000


@pytest.mark.shared
@pytest.mark.slow
def test_reconcile_cli_estimate_explain_and_plot(group: click.Group, seed_db: str, tmp_path: Path):
    code, out, _ = invoke(group, "estimate", "1", "--db", seed_db, "--explain")
    assert code == 0 and "adversary" in out and "weight" in out
    for suffix in ("png", "svg"):
        target = tmp_path / f"series.{suffix}"
        code, _, _ = invoke(group, "plot", SEED_SERIES, "--db", seed_db, "-o", str(target))
        assert code == 0 and target.stat().st_size > 1000
    assert (tmp_path / "series.svg").read_text().lstrip().startswith("<?xml")


@pytest.mark.shared
def test_reconcile_cli_errors_are_one_line(group: click.Group, seed_db: str, tmp_path: Path):
    code, _, err = invoke(group, "estimate", "russia-ukraine/killed", "--db", seed_db)
    assert code == 1 and err.startswith("counterclaim: error: [E501] no series") and err.count("\n") == 1
    bad = tmp_path / "conflicts.toml"
    bad.write_text("[[conflict]\nslug = broken")
    code, _, err = invoke(group, "series", "--db", seed_db, "--conflicts", str(bad))
    assert code == 1 and "not valid TOML" in err
    code, _, err = invoke(group, "plot", SEED_SERIES, "--db", seed_db, "-o", str(tmp_path / "x.gif"))
    assert code == 2
    code, _, err = invoke(group, "estimate", SEED_SERIES, "--db", seed_db, "--as-of", "7 April")
    assert code == 2 and "is not a date" in err


@pytest.mark.shared
def test_reconcile_cli_user_conflicts_rename_nothing_but_what_they_say(
    group: click.Group, seed_db: str, tmp_path: Path
):
    user = tmp_path / "conflicts.toml"
    user.write_text(
        '[[conflict]]\nslug = "russia-ukraine"\nname = "since 2014"\nstart = "2014-04-06"\n'
        'party = [{ name = "Russia", camp = "r" }, { name = "Ukraine", camp = "u" }]\n'
    )
    code, out, _ = invoke(group, "series", "--db", seed_db, "--conflicts", str(user), "--format", "json")
    assert code == 0 and SEED_SERIES in {row["id"] for row in json.loads(out)}


@pytest.mark.shared
def test_reconcile_cli_evaluate_estimates_and_calibrate(group: click.Group, tmp_path: Path, shared: Path):
    truths = str(shared / "data" / "truths.csv")
    code, out, err = invoke(group, "evaluate-estimates", "--truths", truths, "--json")
    assert code == 0 and "HT2e" in err
    scores = json.loads(out)
    assert list(scores) == [
        "model",
        "latest-monitor",
        "median-of-claims",
        "geometric-mean-of-sides",
        "bounds",
    ]
    assert set(scores["model"]) == {"coverage", "median_abs_log_error", "checks"}
    written = tmp_path / "priors.toml"
    code, out, _ = invoke(group, "calibrate", "--truths", truths, "--fit", "-o", str(written), "--json")
    assert code == 0 and json.loads(out)["grid_points"] == 75
    code, out, _ = invoke(group, "evaluate-estimates", "--truths", truths, "--priors", str(written), "--json")
    assert code == 0 and json.loads(out)["model"]["coverage"] >= scores["model"]["coverage"]


@pytest.mark.shared
def test_reconcile_cli_user_conflicts_reach_the_fit(group: click.Group, seed_db: str, tmp_path: Path):
    # the bundled profile has no end: one that ends the fighting on 1 March stops the model's clock
    user = tmp_path / "conflicts.toml"
    user.write_text(
        '[[conflict]]\nslug = "russia-ukraine"\nname = "ended early"\nstart = "2022-02-24"\n'
        'end = "2022-03-01"\n'
        'party = [{ name = "Russia", camp = "r" }, { name = "Ukraine", camp = "u" }]\n'
    )
    estimate = ["estimate", SEED_SERIES, "--db", seed_db, "--format", "json"]
    code, out, _ = invoke(group, *estimate)
    assert code == 0
    bundled = json.loads(out)
    code, out, _ = invoke(group, *estimate, "--conflicts", str(user))
    assert code == 0
    ended = json.loads(out)
    assert ended["as_of"] == bundled["as_of"] and ended["best"] < bundled["best"]
    code, out, _ = invoke(group, "series", "--db", seed_db, "--conflicts", str(user), "--format", "json")
    assert code == 0
    [row] = [row for row in json.loads(out) if row["id"] == SEED_SERIES]
    assert row["best"] == ended["best"]


@pytest.mark.shared
def test_reconcile_cli_estimate_says_how_far_past_the_last_claim(group: click.Group, seed_db: str):
    code, out, _ = invoke(group, "estimate", SEED_SERIES, "--db", seed_db, "--as-of", "2022-07-06")
    assert code == 0 and "90 days past the last claim" in out
    code, out, _ = invoke(
        group, "estimate", SEED_SERIES, "--db", seed_db, "--as-of", "2022-07-06", "--format", "json"
    )
    data = json.loads(out)
    assert data["days_past_last_claim"] == 90 and data["pareto_k"] is not None
    code, out, _ = invoke(group, "series", "--db", seed_db, "--format", "json")
    assert all("days_past_last_claim" in row for row in json.loads(out) if "best" in row)


@pytest.mark.shared
def test_reconcile_cli_a_users_caps_file_bounds_the_band(group: click.Group, seed_db: str, tmp_path: Path):
    caps = tmp_path / "caps.toml"
    caps.write_text('measures = ["killed"]\n[population]\nrussia = 5000\n')
    args = ("estimate", SEED_SERIES, "--db", seed_db, "--as-of", "2023-01-01", "--format", "json")
    code, out, _ = invoke(group, *args, "--caps", str(caps))
    assert code == 0 and json.loads(out)["high"] <= 5000
    caps.write_text("[population]\nrussia = -1\n")
    code, _, err = invoke(group, *args, "--caps", str(caps))
    assert code == 1 and "[E501]" in err and "caps" in err and err.count("\n") == 1


@pytest.mark.shared
def test_reconcile_cli_plot_takes_a_caps_file(group: click.Group, seed_db: str, tmp_path: Path):
    caps = tmp_path / "caps.toml"
    caps.write_text('measures = ["killed"]\n[population]\nrussia = 5000\n')
    plain, capped = tmp_path / "plain.svg", tmp_path / "capped.svg"
    assert invoke(group, "plot", SEED_SERIES, "--db", seed_db, "-o", str(plain))[0] == 0
    assert invoke(group, "plot", SEED_SERIES, "--db", seed_db, "-o", str(capped), "--caps", str(caps))[0] == 0
    # the band is drawn under the cap: another picture
    assert capped.read_bytes() != plain.read_bytes()
    caps.write_text("[population]\nrussia = -1\n")
    code, _, err = invoke(group, "plot", SEED_SERIES, "--db", seed_db, "-o", str(capped), "--caps", str(caps))
    assert code == 1 and "[E501]" in err and "caps" in err and err.count("\n") == 1


@pytest.mark.shared
def test_reconcile_cli_caps_come_from_the_settings_file(seed_db: str, tmp_path: Path):
    from counterclaim.cli import cli

    (tmp_path / "caps.toml").write_text('measures = ["killed"]\n[population]\nrussia = 5000\n')
    config = tmp_path / "counterclaim.toml"
    config.write_text('[counterclaim]\ncaps = "caps.toml"\n')  # relative to the settings file
    args = ["estimate", SEED_SERIES, "--db", seed_db, "--as-of", "2023-01-01", "--format", "json"]
    plain = CliRunner().invoke(cli, args)
    capped = CliRunner().invoke(cli, ["--config", str(config), *args])
    assert plain.exit_code == 0 and capped.exit_code == 0, capped.output
    assert json.loads(plain.stdout)["high"] > 5000 >= json.loads(capped.stdout)["high"]
