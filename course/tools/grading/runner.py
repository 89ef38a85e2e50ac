"""Running one restored notebook in a sandboxed kernel, then probing its answers one request at a time.

1. **The cells.** Every cell runs, even when an earlier one raised (as nbgrader does), so one
   error costs only what depends on it. The cells have ``timeout`` seconds in all, from the
   moment the kernel is ready; a cell still running then is interrupted and the rest is not run.
2. **The probes.** Then, for each exercise, the grader sends one request (see :mod:`.inkernel`)
   carrying the cases and a fresh nonce, and reads the outcomes from the reply to that request.
   The grader times each request itself: past the exercise's limit it interrupts the kernel, and
   when the kernel does not answer after that (its code ignores or catches the interrupt) it
   ends it; the exercise gets "time limit", whatever the student did to signals or timers. A
   kernel that exits during a probe gives that exercise "crashed".
3. **Once more.** After a kernel was ended, or died or hung in the cells, the submission runs
   once more on a fresh kernel, without the cell that stopped it, to probe the exercises still
   to do; what is still unprobed after that is "kernel lost".

Output past the caps is dropped (a note says so); a message larger than :data:`MAX_MESSAGE` is
refused by the socket, and the output channel is opened again.
"""

import math
import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field

import nbformat
from jupyter_core.utils import run_sync

from ...exercises import plain
from . import sandbox

MAX_MESSAGE = 32_000_000  # bytes of one message from the kernel
IOPUB_TIMEOUT = 5  # seconds to wait for a cell's output once the kernel says the cell is done
ANSWER_SECONDS = 5  # how long a kernel has to answer after an interrupt before it is ended
PROBE_MARGIN = 5  # seconds a probe request gets beyond the exercise's own limit (imports, a loaded machine)
INKERNEL = "course.tools.grading.inkernel"
NOTE_DROPPED = (
    "[the grader dropped the rest of this notebook's output: "
    "more than {} bytes of text or {} bytes of pictures and other output]"
)
TIME_LIMIT, CRASHED, KERNEL_LOST = "time limit", "crashed", "kernel lost"


@dataclass(frozen=True)
class Request:
    """One probe to ask for: the exercise, the answer's name, the cases (plain data) and the seconds it has."""

    exercise: str
    answer: str
    cases: list
    seconds: float


@dataclass
class Run:
    """How a notebook's run ended, and what each probe request gave."""

    outcome: str = "completed"
    errors: list = field(default_factory=list)  # (cell number in the submission, error name)
    output_dropped: bool = False
    output_lost: list = field(default_factory=list)  # cells whose output never came (over MAX_MESSAGE)
    replies: dict = field(default_factory=dict)  # exercise id -> (reply text, the nonce it must echo)
    stopped: dict = field(default_factory=dict)  # exercise id -> TIME_LIMIT, CRASHED or KERNEL_LOST
    skipped: list = field(default_factory=list)  # cells left out of the second run


class KernelGone(Exception):
    """The kernel exited (or its box ended it)."""


def _kernel_manager(folder, prefix, env):
    """A kernel manager whose kernel starts as ``prefix + [python -m ipykernel_launcher ...]``."""
    import zmq.asyncio
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

    argv = [*prefix, sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]

    class Boxed(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            # An interrupt is a message the kernel turns into SIGINT for itself (a signal sent from
            # here would reach the sandbox's bwrap, not the kernel inside it).
            return KernelSpec(
                argv=argv, display_name="course grading", language="python", env=env, interrupt_mode="message"
            )

    class Manager(AsyncKernelManager):
        def client(self, **kwargs):
            # A message larger than this is refused by the socket, never held in the grader's memory.
            context = zmq.asyncio.Context()
            context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
            return super().client(context=context, **kwargs)

    manager = Manager(kernel_spec_manager=Boxed(), transport="ipc", ip=str(folder / "k"))
    manager.connection_file = str(folder / "kernel.json")
    return manager


def _client_class():
    from nbclient import NotebookClient

    class CappedClient(NotebookClient):
        """A notebook client that keeps at most ``caps[kind]`` bytes of output of each kind."""

        caps = {}
        kept = {}
        dropped = False

        def output(self, outs, msg, display_id, cell_index):
            kind = "text" if msg["msg_type"] == "stream" else "rich"
            size = len(str(msg.get("content", "")))
            if self.kept.get(kind, 0) + size > self.caps[kind]:
                if not self.dropped:
                    self.dropped = True
                    note = NOTE_DROPPED.format(self.caps["text"], self.caps["rich"])
                    outs.append(nbformat.v4.new_output("stream", name="stderr", text=note))
                return None
            self.kept[kind] = self.kept.get(kind, 0) + size
            return super().output(outs, msg, display_id, cell_index)

    return CappedClient


def _reconnect(client):
    """Fresh channels to the kernel, after a socket dropped one (a message over :data:`MAX_MESSAGE`)."""
    client.kc.stop_channels()
    client.kc = client.km.client()
    client.kc.start_channels()
    run_sync(client.kc.wait_for_ready)(timeout=30)


def _error_name(cell):
    """The exception name a cell's output shows, cut to a plain identifier."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            name = re.sub(r"[^A-Za-z0-9_.]", "", str(output.get("ename", "")))[:40]
            return name or "an error"
    return None


# ---------------------------------------------------------------------------
# Talking to the kernel
# ---------------------------------------------------------------------------


async def _reply_to(client, msg_id, seconds):
    """The shell reply to request ``msg_id`` within ``seconds``; None when none came; KernelGone."""
    from queue import Empty

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            msg = await client.kc.shell_channel.get_msg(
                timeout=min(0.5, max(deadline - time.monotonic(), 0.01))
            )
        except Empty:
            if not await client.km.is_alive():
                raise KernelGone from None
            continue
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg
    return None


def _ask(client, expression, seconds):
    """The value (text) of ``expression`` evaluated by the kernel, None if no answer in ``seconds``."""
    msg_id = client.kc.execute("", silent=True, store_history=False, user_expressions={"reply": expression})
    msg = run_sync(_reply_to)(client, msg_id, seconds)
    if msg is None:
        return None
    value = msg["content"].get("user_expressions", {}).get("reply", {})
    text = value.get("data", {}).get("text/plain") if value.get("status") == "ok" else None
    return text if isinstance(text, str) else ""


def _answers(client):
    """Whether the kernel answers a trivial request within :data:`ANSWER_SECONDS` (after an interrupt)."""
    try:
        return _ask(client, "1", ANSWER_SECONDS) is not None
    except KernelGone:
        return False


def _interrupt(client):
    try:
        run_sync(client.km.interrupt_kernel)()
    except Exception:  # noqa: BLE001 - a kernel that is already gone
        pass


def _probe(client, request, run):
    """Ask for one probe; note its reply or why it has none. False when the kernel must be replaced."""
    nonce = secrets.token_hex(16)
    asked = plain.dumps(
        {"exercise": request.exercise, "answer": request.answer, "cases": request.cases, "nonce": nonce}
    )
    expression = f"__import__({INKERNEL!r}, fromlist=['reply']).reply({asked!r}, globals())"
    try:
        text = _ask(client, expression, request.seconds + PROBE_MARGIN)
    except KernelGone:
        run.stopped[request.exercise] = CRASHED
        return False
    if text is not None:
        run.replies[request.exercise] = (text, nonce)
        return True
    run.stopped[request.exercise] = TIME_LIMIT
    _interrupt(client)
    return _answers(client)


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


def _run_cells(client, plan, run, timeout, skip, first):
    """Run the cells not in ``skip``; the index of the cell that timed out or ended the kernel, else None."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    deadline = time.monotonic() + timeout
    client.timeout_func = lambda cell: max(1, math.ceil(deadline - time.monotonic()))
    for index, cell in enumerate(plan.notebook.cells):
        if index in skip:
            continue
        number = plan.cell_numbers[index]
        where = f"cell {number}" if number else "the grader's first cell"
        try:
            client.execute_cell(cell, index)
        except CellTimeoutError as error:
            if "IOPub" in str(error):
                _reconnect(client)
                run.output_lost.append(number)
                continue
            if first:
                run.outcome = f"timed out after {timeout:g} s in {where}"
            _interrupt(client)
            return index
        except DeadKernelError:
            if first:
                run.outcome = f"kernel died in {where} (out of memory, or the code ended it)"
            return index
        name = _error_name(cell) if cell.cell_type == "code" else None
        if name and number and first:
            run.errors.append((number, name))
    return None


def execute(plan, requests, folder, timeout, limits, boxed=True, hidden=(), data_dir=None):
    """Run ``plan.notebook`` (changed in place: outputs), then each :class:`Request`; a :class:`Run`."""
    if boxed:
        prefix = sandbox.command(folder, limits, hidden, data_dir)
    else:
        prefix = limits.prlimit() if sandbox.shutil.which("prlimit") else []
    env = sandbox.environment(folder, data_dir, limits.threads)
    run, todo, skip = Run(), list(requests), set()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "stdin": subprocess.DEVNULL}
    for attempt in (1, 2):
        client = _client_class()(
            plan.notebook,
            km=_kernel_manager(folder, prefix, env),
            startup_timeout=120,
            shutdown_kernel="immediate",
            allow_errors=True,
            record_timing=False,
            raise_on_iopub_timeout=True,  # a lost output channel is noticed and reconnected
            iopub_timeout=IOPUB_TIMEOUT,
        )
        client.caps, client.kept = {"text": limits.text_output, "rich": limits.rich_output}, {}
        try:
            with client.setup_kernel(cwd=str(folder), env=env, cleanup_kc=True, **quiet):
                stopped_at = _run_cells(client, plan, run, timeout, skip, first=attempt == 1)
                usable = stopped_at is None or _answers(client)
                if stopped_at is not None and not usable:
                    skip.add(stopped_at)
                    run.skipped.append(plan.cell_numbers[stopped_at])
                while usable and todo:
                    usable = _probe(client, todo.pop(0), run)
        except RuntimeError as error:  # the kernel did not start
            run.outcome = f"kernel failed to start ({str(error)[:200]})"
            break
        finally:
            run.output_dropped = run.output_dropped or client.dropped
        if not todo:
            break
    for request in todo:
        run.stopped[request.exercise] = KERNEL_LOST
    return run
