"""The course as a learner meets it: every learner notebook in JupyterLab, in a real (headless) browser.

One JupyterLab server on 127.0.0.1 with a token serves a temporary copy of
``notebooks/``, started the way ``python -m course lab`` starts it (the course's
quiet Jupyter config first on ``JUPYTER_CONFIG_PATH``). Debian's Chromium,
driven by Playwright, opens each notebook, runs all its cells and then checks:

* no error output and no stderr block anywhere on the page, no widget that failed
  to display, no figure shown as text or twice in one cell;
* every interactive explorer (``*_explorer(...)`` in a cell) shows a picture, and
  changing each of its controls (slider, dropdown, text box) changes the picture;
* every quiz answers a click: a wrong choice shows "Not yet", the right one
  "Passed" and the explanation (the answers come from the question bank,
  ``course.exercises.quizzes.question``); every ``check`` cell shows its feedback box,
  saying "Not attempted yet" (the exercises are left open).

This is the test run of the learner copies: it proves that each runs top to bottom with
its exercises left open, as a learner meets it (the answers are run by executing
``solutions/``).

A screenshot per notebook, and one of a notebook in JupyterLab's dark theme, go
to the work folder (``work/browser-test/``) for a person to look at. Notebooks
run two at a time in two tabs, each with JupyterLab loaded once (its own workspace) and the
notebooks opened in it one after another, as from the file browser.
``BROWSER_TEST_NOTEBOOKS=03,04 pytest tests/test_browser.py`` tests only the
notebooks whose names begin with ``03`` or ``04``.

It needs the ``chromium`` package (Playwright's own browser downloads are not
used): ``apt-get install chromium``. Without it the test is skipped.
"""

import io
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
from course.tools.lab import lab_arguments, lab_environment

from .helpers import LEARNER, ROOT

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # notebooks run in several tabs at once: none of them may be slowed down as a background tab
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
# JupyterLab user settings the test needs: every cell kept in the page (no virtual scrolling).
# The news and update pop-ups are off through the course's own config, as for a learner.
LAB_SETTINGS = {"@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"}}
KERNEL_READY = re.compile(r"Python 3.* \| Idle")  # the status bar once the notebook's kernel is up
SERVER_START_SECONDS = 120
RUN_ALL_SECONDS = 300
PICTURE_CHANGE_SECONDS = 20
POLL_MS = 1000  # how often the running notebooks are looked at
PARALLEL_TABS = 2  # on 2 cores: while one kernel computes, the other tab loads or is checked (3 is no faster)
# Started first, as they take longest (they train Keras models): the short ones fill the gaps.
SLOW_FIRST = ("06_keras", "07_cnn_flowers", "08_saving_loading")
ONLY_VARIABLE = "BROWSER_TEST_NOTEBOOKS"  # e.g. "03,04": test only the notebooks whose names begin so
DARK_NOTEBOOK = "04_gradient_descent"  # also photographed in the dark theme: it has an explorer
# Environment variables of the test session that a learner's kernel does not have.
TEST_ONLY_VARIABLES = ("MPLBACKEND", "COURSE_STRICT", "TF_CPP_MIN_LOG_LEVEL")

# What the cells of a notebook show, found in its source (one match per code cell).
EXPLORER_CALL = re.compile(r"^[\w.]*_explorer\(", re.M)
QUIZ_CALL = re.compile(r"^(course\.)?quiz\(|^(MultipleChoice|PredictShape)\(", re.M)
CHECK_CALL = re.compile(r"^(course\.)?check\(", re.M)
QUIZ_ID = re.compile(r"^\s*(\d\d\.q\d+)")
# A value to type into an explorer's text box, by its label.
TEXT_INPUTS = {"shape of a:": "(8, 1, 6, 1)", "shape of b:": "(7, 1, 5)"}

STDERR = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"  # errors too
# JupyterLab's own commands, through the app the server exposes (--LabApp.expose_app_in_browser).
OPEN_DOCUMENT = "async path => { await window.jupyterapp.commands.execute('docmanager:open', {path}); }"
CLOSE_DOCUMENTS = """() => {
    for (const widget of [...window.jupyterapp.shell.widgets("main")]) {
        if (widget.context) widget.context.model.dirty = false;  // no "save your work?" dialog
        widget.close();
    }
}"""
# The size and a hash of the image an <img> shows, read from its source.
IMAGE_FINGERPRINT = """async img => {
    const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let hash = 0;
    for (const byte of bytes) hash = (Math.imul(hash, 31) + byte) | 0;
    return `${bytes.length}:${hash}`;
}"""
# The code cells' prompts ("[7]:", "[*]:", "[ ]:") and the number of error blocks, read without layout.
RUN_STATE = """stderr => [
    [...document.querySelectorAll(".jp-CodeCell .jp-InputPrompt")].map(p => p.textContent.trim()),
    document.querySelectorAll(stderr).length,
]"""
FEEDBACK = ".course-feedback"


@pytest.fixture(scope="module")
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


class Lab:
    """A running JupyterLab server: its base URL and token, and its REST API."""

    def __init__(self, base, token):
        self.base, self.token = base, token

    def url(self, workspace):
        """JupyterLab in a workspace of its own (no tab of another browser tab restored)."""
        return f"{self.base}/lab/workspaces/test-{workspace}?token={self.token}"

    def api(self, path, method="GET"):
        request = urllib.request.Request(
            f"{self.base}/api/{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            body = reply.read()
        return json.loads(body) if body else None

    def shut_down_kernel(self, name):
        """End the kernel of notebook ``name`` (its tab is closed; it would only hold memory)."""
        for session in self.api("sessions"):
            if session["path"] == f"notebooks/{name}.ipynb":
                self.api(f"sessions/{session['id']}", method="DELETE")


@pytest.fixture(scope="module")
def jupyterlab(chromium, tmp_path_factory):
    """A JupyterLab server on loopback serving a copy of notebooks/, started like ``python -m course lab``."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    settings = root / "lab-settings"
    for name, values in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values), encoding="utf-8")
    jupyter_home = root / "jupyter"
    env = lab_environment({k: v for k, v in os.environ.items() if k not in TEST_ONLY_VARIABLES})
    env.update(
        COURSE_FAST="1",
        COURSE_WORKDIR=str(root / "work"),
        JUPYTER_CONFIG_DIR=str(jupyter_home / "config"),
        JUPYTER_DATA_DIR=str(jupyter_home / "data"),
        JUPYTER_RUNTIME_DIR=str(jupyter_home / "runtime"),
        IPYTHONDIR=str(jupyter_home / "ipython"),
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    )
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyterlab",
        *lab_arguments(root, [
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--port-retries=0",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.extension_manager=readonly",
            f"--IdentityProvider.token={token}",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={root / 'workspaces'}",
            "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: the test opens notebooks with it
        ]),
    ]  # fmt: skip
    log = root / "jupyterlab.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/api/status?token={token}", server, log, SERVER_START_SECONDS)
        yield Lab(base, token)
    finally:
        stop(server)
    assert server.returncode is not None


@pytest.fixture(scope="module")
def browser(chromium):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def screenshots():
    folder = course.workdir("browser-test")
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


# --- what a notebook should show ---------------------------------------------------------------------


def expected_widgets(name):
    """Indices of the code cells that show an explorer, a quiz, a check's feedback."""
    sources = [
        "".join(cell["source"])
        for cell in json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
        if cell["cell_type"] == "code"
    ]
    return {
        kind: [i for i, source in enumerate(sources) if pattern.search(source)]
        for kind, pattern in [("explorer", EXPLORER_CALL), ("quiz", QUIZ_CALL), ("check", CHECK_CALL)]
    }


# --- driving JupyterLab ---------------------------------------------------------------------------


def click_menu(page, *items):
    """Click a menu-bar entry, then the named items of the menus it opens (exact labels)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(items[0])}$")).click()
    for item in items[1:]:
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def code_cells(page):
    return page.locator(".jp-Notebook .jp-CodeCell")


def problems_on_page(page):
    """Sentences for each error, stderr block or broken widget on the page (empty when all is well)."""
    found = [f"stderr or error output: {text[:1500]}" for text in page.locator(STDERR).all_inner_texts()]
    for text in ("Error displaying widget", "Error rendering output"):
        if page.get_by_text(text).count():
            found.append(f"a widget or output says {text!r}")
    shown_twice = page.locator(".jp-OutputArea").evaluate_all(
        """areas => areas.filter(area => {
            const pictures = [...area.querySelectorAll(".jp-RenderedImage img")].map(img => img.src);
            return new Set(pictures).size < pictures.length;
        }).length"""
    )
    if shown_twice:
        found.append(f"{shown_twice} cells show the same picture twice")
    figures_as_text = page.locator(".jp-OutputArea-output", has_text=re.compile(r"<Figure size \d+"))
    if figures_as_text.count():
        found.append(f"a figure shown as text, not as a picture: {figures_as_text.first.inner_text()[:200]}")
    return found


class Tab:
    """A browser tab with JupyterLab loaded once; notebooks open in it one after another.

    As a learner opens them from the file browser: JupyterLab itself is not loaded again for each.
    """

    def __init__(self, lab, browser, number):
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.set_default_timeout(60_000)
        self.page.goto(lab.url(f"tab-{number}"))
        self.page.wait_for_function("() => window.jupyterapp !== undefined")
        self.page.evaluate("async () => { await window.jupyterapp.restored; }")

    def open(self, path):
        self.page.evaluate(OPEN_DOCUMENT, path)
        self.page.locator(".jp-Notebook .jp-Cell").first.wait_for()

    def close_documents(self):
        """Close every tab of JupyterLab's main area (a notebook that ran is closed without saving)."""
        self.page.evaluate(CLOSE_DOCUMENTS)
        expect(self.page.locator(".jp-Notebook")).to_have_count(0)


class NotebookRun:
    """One notebook in a tab: opened, then run, then checked."""

    def __init__(self, lab, tab, name):
        self.lab, self.tab, self.name, self.page = lab, tab, name, tab.page
        self.started = time.monotonic()
        tab.open(f"notebooks/{name}.ipynb")  # the tab's last notebook was closed by close()

    def run_all(self):
        """Run ▸ Run All Cells, once the kernel is up (earlier, JupyterLab would ask which kernel to use)."""
        self.page.get_by_text(KERNEL_READY).first.wait_for()
        click_menu(self.page, "Run", "Run All Cells")
        self.deadline = time.monotonic() + RUN_ALL_SECONDS

    def finished(self):
        """True once every code cell has an execution count; fails at the first error on the page.

        Polled while the cells run, so it reads the page the cheap way: one script that counts
        error blocks and reads the prompts' text without laying the page out (Playwright's
        inner texts would make Chromium lay out the whole notebook at every poll).
        """
        prompts, errors = self.page.evaluate(RUN_STATE, STDERR)
        if errors:
            problems = problems_on_page(self.page)
            assert not problems, "\n".join(problems)
        if prompts and all(p[1:-2].isdigit() for p in prompts):  # "[7]:" everywhere, no "[*]:" or "[ ]:"
            return True
        if time.monotonic() > self.deadline:
            raise TimeoutError(
                f"{self.name}: cells still running after {RUN_ALL_SECONDS} s: prompts {prompts}"
            )
        return False

    def close(self):
        self.tab.close_documents()
        self.lab.shut_down_kernel(self.name)


def picture_of(explorer):
    picture = explorer.locator("img.course-explorer-picture")
    expect(picture).to_be_visible()
    size = picture.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert min(size) > 50, f"the explorer's picture is {size[0]}×{size[1]} pixels"
    return picture


def shown(picture):
    """The bytes of the image the picture shows, as a fingerprint: no screenshot (no rendering) needed.

    Not its ``src``: ipywidgets gives every new value a new blob URL, even the same picture.
    """
    return picture.evaluate(IMAGE_FINGERPRINT)


def wait_for_new_picture(picture, before, what):
    deadline = time.monotonic() + PICTURE_CHANGE_SECONDS
    while time.monotonic() < deadline:
        if picture.is_visible() and shown(picture) != before:
            return
        picture.page.wait_for_timeout(200)
    raise AssertionError(f"the picture did not change within {PICTURE_CHANGE_SECONDS} s after {what}")


def change(control):
    """Give one explorer control another value, as a learner would; returns what was done."""
    classes = control.get_attribute("class") or ""
    label = control.locator(".widget-label").inner_text().strip()
    if "widget-slider" in classes:
        handle = control.locator(".noUi-handle")
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        key = "ArrowLeft" if at_max else "ArrowRight"
        handle.press(key)
        return f"pressing {key} on the slider {label!r}"
    if "widget-dropdown" in classes:
        select = control.locator("select")
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.selectedIndex")
        select.select_option(index=(current + 1) % len(options))
        return f"choosing another option of {label!r}"
    if "widget-text" in classes:
        assert label in TEXT_INPUTS, f"add a value to type into the text box {label!r} to TEXT_INPUTS"
        box = control.locator("input")
        box.fill(TEXT_INPUTS[label])
        box.press("Enter")
        return f"typing {TEXT_INPUTS[label]!r} into {label!r}"
    raise AssertionError(f"an explorer control the test cannot use: {classes}")


def check_explorer(cell):
    """The explorer in ``cell`` shows a picture, and each control changes it."""
    explorer = cell.locator(".course-explorer")
    expect(explorer).to_have_count(1)
    picture = picture_of(explorer)
    controls = explorer.locator(".widget-slider, .widget-dropdown, .widget-text")
    assert controls.count() >= 1, "an explorer without controls"
    for control in controls.all():
        before = shown(picture)
        what = change(control)
        wait_for_new_picture(picture, before, what)
        picture_of(explorer)


def typed(shape):
    """How a learner types a shape: "(3, 4)", "(5,)", "()", or "error"."""
    return shape if isinstance(shape, str) else str(tuple(shape))


def click_until_shown(button, result, *texts):
    """Click ``button`` until ``result`` shows each of ``texts`` (at most 3 clicks).

    ipywidgets holds back a widget's value update while an earlier one is unanswered, yet sends a
    click at once: a click made milliseconds after a change of value may reach the kernel before
    the value does (no person is that quick; the browser test is). A second click then sees it.
    """
    for attempt in range(3):
        button.click()
        try:
            for text in texts:
                expect(result).to_contain_text(text)
            return
        except AssertionError:
            if attempt == 2:
                raise


def check_quiz(cell):
    """A wrong answer shows "Not yet"; the right one "Passed" and the explanation."""
    from course.exercises.quizzes import question

    box = cell.locator(".course-quiz")
    expect(box).to_have_count(1)
    title = box.locator(":scope > *").first.inner_text()
    match = QUIZ_ID.match(title)
    assert match, f"a quiz's title must begin with its id, got {title!r}"
    quiz = question(match.group(1))
    result, check = box.locator(":scope > *").last, box.get_by_role("button", name="Check")
    if box.locator("input[type='radio']").count():
        wrong = next(option for option in quiz.options if option != quiz.answer)
        box.get_by_role("radio", name=wrong, exact=True).check()
        click_until_shown(check, result, "Not yet")
        box.get_by_role("radio", name=quiz.answer, exact=True).check()
    else:
        wrong = "(1,)" if quiz.answer == "error" else typed((*quiz.answer, 7))
        text = box.locator("input[type='text']")
        text.fill(wrong)
        click_until_shown(check, result, "Not yet", wrong)
        text.fill(typed(quiz.answer))
    click_until_shown(check, result, "Passed", quiz.explanation)


def check_feedback(cell):
    """A learner copy's check, before the learner wrote anything, says so (and nothing else)."""
    feedback = cell.locator(FEEDBACK)
    expect(feedback.first).to_be_visible()
    expect(feedback.first).to_contain_text("Not attempted yet")


def photograph(run, folder, expected, suffix=""):
    """A screenshot of the notebook at its first explorer (else its first picture, else its top)."""
    page = run.page
    cells = code_cells(page)
    if expected["explorer"]:
        cells.nth(expected["explorer"][0]).scroll_into_view_if_needed()
    elif page.locator(".jp-RenderedImage img").count():
        page.locator(".jp-RenderedImage img").first.scroll_into_view_if_needed()
    path = folder / f"{run.name}{suffix}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    return path


def bright(png_bytes, xy):
    from PIL import Image

    with Image.open(io.BytesIO(png_bytes)) as image:
        return min(image.convert("RGB").getpixel(xy)) > 230


def check_dark_theme(run, folder, expected):
    """In JupyterLab's dark theme the explorer's picture keeps its white background."""
    page = run.page
    click_menu(page, "Settings", "Theme", "JupyterLab Dark")
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
    try:
        picture = picture_of(code_cells(page).nth(expected["explorer"][0]).locator(".course-explorer"))
        photograph(run, folder, expected, "-dark")
        assert bright(picture.screenshot(), (2, 2)), "the picture is dark in the dark theme"
    finally:
        click_menu(page, "Settings", "Theme", "JupyterLab Light")
        expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "true")


def short(error):
    """An error's message without Playwright's snapshot of the whole page."""
    return str(error).split("Aria snapshot")[0].strip()


def check_notebook(run, folder):
    page, expected = run.page, expected_widgets(run.name)
    cells = code_cells(page)
    expect(page.locator(".jp-OutputArea-output", has_text="course ready").first).to_be_visible()
    for kind, selector in [("explorer", ".course-explorer"), ("quiz", ".course-quiz")]:
        cells_with = [f"[{i}]" for i in expected[kind]]
        try:
            expect(page.locator(selector)).to_have_count(len(cells_with))
        except AssertionError:
            raise AssertionError(
                f"code cells {', '.join(cells_with) or '(none)'} (counted from 0) each show one {kind}, "
                f"but the page has {page.locator(selector).count()} {selector} boxes"
            ) from None
    for kind, check in [("explorer", check_explorer), ("quiz", check_quiz), ("check", check_feedback)]:
        for index in expected[kind]:
            try:
                check(cells.nth(index))
            except AssertionError as error:
                raise AssertionError(f"the {kind} of code cell [{index}]: {short(error)}") from None
    progress = cells.last.locator(".course-progress")
    expect(progress).to_be_visible()
    expect(progress).to_contain_text(run.name)  # the notebook's own line of course.progress("NN")
    problems = problems_on_page(page)
    assert not problems, "\n".join(problems)
    assert page.get_by_text("Would you like to get notified").count() == 0, "JupyterLab asks about news"
    photograph(run, folder, expected)
    if run.name == DARK_NOTEBOOK:
        check_dark_theme(run, folder, expected)


# --- the test ----------------------------------------------------------------------------------------


def test_every_learner_notebook_in_chromium(jupyterlab, browser, screenshots):
    """The notebooks run PARALLEL_TABS at a time, one per tab; each is checked when its run ends."""
    waiting = sorted((path.stem for path in LEARNER), key=lambda name: name not in SLOW_FIRST)
    assert len(waiting) >= 9
    if os.environ.get(ONLY_VARIABLE):  # while working on some notebooks: only these
        waiting = [name for name in waiting if name.startswith(tuple(os.environ[ONLY_VARIABLE].split(",")))]
    running, failures, seconds = [], {}, {}
    free = [Tab(jupyterlab, browser, number) for number in range(min(PARALLEL_TABS, len(waiting)))]
    while waiting or running:
        while waiting and free:
            run = NotebookRun(jupyterlab, free.pop(), waiting.pop(0))
            run.run_all()
            running.append(run)
        for run in list(running):
            try:
                if not run.finished():
                    continue
                ran = time.monotonic()
                check_notebook(run, screenshots)
            except Exception as error:  # noqa: BLE001 - every notebook is tried; all failures reported
                failures[run.name] = f"{type(error).__name__}: {short(error)}"
                run.page.screenshot(path=str(screenshots / f"{run.name}-failed.png"))
            else:
                seconds[run.name] = f"{ran - run.started:.0f} + {time.monotonic() - ran:.0f}"
            running.remove(run)
            run.close()
            free.append(run.tab)
        if running:
            running[0].page.wait_for_timeout(POLL_MS)
    print("seconds per notebook (open and run + check):", seconds)
    assert not failures, "\n\n".join(f"{name}: {failure}" for name, failure in failures.items())
