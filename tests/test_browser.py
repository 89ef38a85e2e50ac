"""The course as a learner meets it: JupyterLab in a real (headless) browser.

The test starts JupyterLab on 127.0.0.1 with a token, in a temporary copy of
``notebooks/``, opens ``00_welcome.ipynb`` in Debian's Chromium driven by
Playwright, runs all cells, answers the widget quizzes by clicking and typing,
and checks that the feedback appears in the page. A screenshot of the page is
saved under the work folder (``work/browser-test/``) for a person to look at.

It needs the ``chromium`` package (Playwright's own browser downloads are not
used): ``apt-get install chromium``. Without it the test is skipped.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

import course

from .helpers import ROOT

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# JupyterLab user settings for a quiet, predictable page: every cell kept in the
# page (no virtual scrolling), no news or update pop-ups.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
KERNEL_READY = re.compile(r"Python 3.* \| Idle")  # the status bar once the notebook's kernel is up
SERVER_START_SECONDS = 120
RUN_ALL_SECONDS = 240


@pytest.fixture
def chromium():
    """The path of Debian's Chromium, or skip the test saying how to install it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("Chromium is not installed; install it with: apt-get install chromium")
    return path


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url, server, log, seconds):
    """Poll the server's status API until it answers; fail if the process exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(
                f"JupyterLab exited with code {server.returncode} before it was ready:\n{tail}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer {url} within {seconds} s")


def stop(server):
    """Stop the server by its process id (SIGTERM, then SIGKILL if it lingers)."""
    if server.poll() is None:
        os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on loopback serving a copy of notebooks/; yields its base URL and token."""
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    settings = tmp_path / "lab-settings"
    for name, values in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values), encoding="utf-8")
    jupyter_home = tmp_path / "jupyter"
    env = dict(
        os.environ,
        COURSE_WORKDIR=str(tmp_path / "work"),
        JUPYTER_CONFIG_DIR=str(jupyter_home / "config"),
        JUPYTER_DATA_DIR=str(jupyter_home / "data"),
        JUPYTER_RUNTIME_DIR=str(jupyter_home / "runtime"),
        IPYTHONDIR=str(jupyter_home / "ipython"),
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    )
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        "--allow-root",  # CI containers run as root
        "--ServerApp.terminals_enabled=False",
        "--LabApp.extension_manager=readonly",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={tmp_path}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
    ]  # fmt: skip
    log = tmp_path / "jupyterlab.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/api/status?token={token}", server, log, SERVER_START_SECONDS)
        yield base, token
    finally:
        stop(server)
    assert server.returncode is not None


def code_cell_prompts(page):
    return page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()


def run_all_cells(page):
    """Run ▸ Run All Cells, then wait until every code cell has an execution count."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    deadline = time.monotonic() + RUN_ALL_SECONDS
    while time.monotonic() < deadline:
        prompts = [p.strip() for p in code_cell_prompts(page)]
        if prompts and all(p[1:-2].isdigit() for p in prompts):  # "[7]:" everywhere, no "[*]:" or "[ ]:"
            return prompts
        page.wait_for_timeout(500)
    raise TimeoutError(f"cells still running after {RUN_ALL_SECONDS} s: prompts {code_cell_prompts(page)}")


def quiz_output(page, question):
    """The output area of the cell whose widget asks ``question``."""
    return page.locator(".jp-CodeCell .jp-OutputArea").filter(has_text=question)


def test_welcome_notebook_in_chromium(chromium, jupyterlab):
    base, token = jupyterlab
    screenshot = course.workdir("browser-test") / "00_welcome.png"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(60_000)
            page.goto(f"{base}/lab/tree/notebooks/00_welcome.ipynb?token={token}")
            page.locator(".jp-Notebook .jp-Cell").first.wait_for()
            page.get_by_text(KERNEL_READY).first.wait_for()  # running earlier would ask which kernel to use

            prompts = run_all_cells(page)
            assert len(prompts) >= 5
            assert page.locator(".jp-OutputArea-output", has_text="course ready | seed 0").count() == 1
            assert (
                page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()
                == 0
            )
            expect(page.locator(".jp-OutputArea-output", has_text="Not attempted yet")).to_have_count(
                2
            )  # 00.1, 00.2

            choice = quiz_output(page, "You restart the kernel")
            choice.locator("label", has_text="It is reset to an empty list").click()
            choice.get_by_role("button", name="Check").click()
            expect(choice).to_contain_text("Not yet")

            choice.locator("label", has_text="It is gone until you run its cell again").click()
            choice.get_by_role("button", name="Check").click()
            expect(choice).to_contain_text("Passed")
            expect(choice).to_contain_text("Variables live in the kernel's memory")

            shape = quiz_output(page, "What is its shape?")
            shape.locator("input[type='text']").fill("(3, 4)")
            shape.get_by_role("button", name="Check").click()
            expect(shape).to_contain_text("Right: (3, 4)")

            choice.scroll_into_view_if_needed()
            page.screenshot(path=str(screenshot), full_page=False)
        finally:
            browser.close()
    assert screenshot.stat().st_size > 10_000
