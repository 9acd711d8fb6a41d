"""The dashboard's bands under the population caps of the settings (``caps``), on a real server."""

from __future__ import annotations

from pathlib import Path

import httpx

from conftest import running
from counterclaim.settings import Settings
from counterclaim.web.app import create_app_from_settings

SERIES = "russia-ukraine/personnel-losses/russia/military"


def _band(settings: Settings) -> dict:
    app = create_app_from_settings(settings)
    try:
        with running(app) as url, httpx.Client(base_url=url, timeout=60) as client:
            return client.get(f"/api/series/{SERIES}").json()
    finally:
        app.state.dashboard.ledger.engine.dispose()


def test_web_series_bands_keep_under_the_settings_caps(web_ledger: str, tmp_path: Path):
    caps = tmp_path / "caps.toml"
    caps.write_text('measures = ["personnel_losses"]\n[population]\nrussia = 100000\n')
    plain = _band(Settings(db=web_ledger))
    capped = _band(Settings.load(None, environ={}, db=web_ledger, caps=[str(caps)]))
    assert plain["estimate"]["high"] > 100_000  # the General Staff's table runs past a million
    assert capped["estimate"]["high"] <= 100_000
    assert all(point["high"] <= 100_000 for point in capped["band"])


def test_web_caps_setting_reaches_every_worker_process(tmp_path: Path):
    # several server processes build their apps from the settings passed in the environment
    config = tmp_path / "counterclaim.toml"
    config.write_text('[counterclaim]\ncaps = ["a.toml", "b.toml"]\n')
    settings = Settings.load(config, environ={})
    assert settings.caps == (tmp_path / "a.toml", tmp_path / "b.toml")  # beside the settings file
    assert Settings.from_environment(settings.to_environment()).caps == settings.caps
