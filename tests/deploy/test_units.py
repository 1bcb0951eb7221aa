"""Every long-running systemd unit in deploy/ is started by try-deploy.sh the same way, so the walk-through
on a machine without systemd tries what production runs (the relay included)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _core(command: str) -> tuple[str, ...]:
    """The program's name and its arguments up to the first option that differs per machine (names, paths,
    concurrency, log level): what must be the same in the unit and in the script."""
    words = shlex.split(command)
    core = [Path(words[0]).name]
    for word in words[1:]:
        if word in {"-n", "--concurrency", "--loglevel", "--schedule", "--interval"} or word[0] in "%>&2":
            break
        core.append(word)
    return tuple(core)


def test_every_service_unit_is_run_by_the_try_deploy_script():
    script = (DEPLOY / "try-deploy.sh").read_text()
    started = {
        _core(re.sub(r"^\$PY\b", "python", line.strip()))
        for line in script.splitlines()
        if line.strip().startswith((".venv/bin/", "$PY manage.py")) and "&" in line
    }
    units = {}
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        exec_start = re.search(r"^ExecStart=(.+)$", unit.read_text(), re.M).group(1)
        if "Type=oneshot" not in unit.read_text():
            units[unit.name] = _core(exec_start)

    assert "nuanxin-relay.service" in units
    assert {name: core for name, core in units.items() if core not in started} == {}
