"""Start-up stays light: building and running the app never imports the ML stack."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from tui.app import create_app
    from tui.services import real_services

    async def main():
        services = real_services("ko")
        services.preload = None  # a lesson's model preload (a worker thread, by design) is tested elsewhere
        app = create_app(services)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert type(app.screen).__name__ == "HomeScreen", app.screen
            if app.course.lessons:  # open a real lesson: Markdown and all
                app.open_lesson(app.course.lessons[0].id)
                await pilot.pause()
                assert type(app.screen).__name__ == "LessonScreen", app.screen

    asyncio.run(main())
    heavy = sorted(m for m in ("torch", "transformers", "gensim", "konlpy") if m in sys.modules)
    print("HEAVY", heavy)
    """
)


def test_tui_starts_without_heavy_imports(tmp_path: Path) -> None:
    env = {**os.environ, "LLM_DOJO_HOME": str(tmp_path), "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "HEAVY []" in result.stdout, result.stdout
