"""The README's examples run, so the README cannot rot."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.DOTALL)


def test_python_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = blocks("python")
    assert code
    for block in code:
        exec(compile(block, "README.md", "exec"), {"__name__": "__readme__"})  # noqa: S102


def test_cli_examples_run(tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHMEM_")}
    env["GRAPHMEM_HOME"] = str(tmp_path / "home")
    graphmem = str(Path(sys.executable).parent / "graphmem")
    lines = [ln[2:] for block in blocks("console") for ln in block.splitlines() if ln.startswith("$ ")]
    assert lines
    outputs = []
    for line in lines:
        argv = shlex.split(line)
        assert argv[0] == "graphmem"
        proc = subprocess.run([graphmem, *argv[1:]], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, f"{line}\n{proc.stdout}\n{proc.stderr}"
        outputs.append(proc.stdout)
    assert "Airbus" in outputs[1] and "jazz" in outputs[2]
    assert "MATCH (f0:Fact)" in outputs[4] and '"who": "Alice"' in outputs[5]


def test_quickstart_script_runs(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "quickstart.py"), str(tmp_path / "s")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "I just started working at Airbus" in proc.stdout and "jazz band" in proc.stdout
