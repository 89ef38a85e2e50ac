"""Running one restored notebook in a kernel: every cell, within a time limit, output capped.

Every cell runs even when an earlier one raised (as nbgrader does), so one error
costs only what depends on it. The whole notebook has ``timeout`` seconds from
the moment the kernel is ready; a cell still running then is stopped and the
rest is not run. Cell output past the cap is dropped (and a note says so), so
an endless ``print`` cannot grow the grader.
"""

import math
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field

import nbformat

from . import sandbox

MAX_MESSAGE = 32_000_000  # bytes of one message from the kernel
IOPUB_TIMEOUT = 5  # seconds to wait for a cell's output once the kernel says the cell is done
NOTE_DROPPED = (
    "[the grader dropped the rest of this notebook's output: "
    "more than {} bytes of text or {} bytes of pictures and other output]"
)


@dataclass
class Run:
    """How a notebook's run ended."""

    outcome: str = "completed"
    errors: list = field(default_factory=list)  # (cell number in the submission, error name)
    output_dropped: bool = False
    output_lost: list = field(default_factory=list)  # cells whose output never came (over MAX_MESSAGE)


def _kernel_manager(folder, prefix, env):
    """A kernel manager whose kernel starts as ``prefix + [python -m ipykernel_launcher ...]``."""
    import zmq.asyncio
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

    argv = [*prefix, sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]

    class Boxed(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return KernelSpec(argv=argv, display_name="course grading", language="python", env=env)

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


def _reconnect_output(client):
    """A fresh output channel after the socket dropped one (a message over :data:`MAX_MESSAGE`)."""
    client.kc.iopub_channel.close()
    client.kc._iopub_channel = None
    client.kc.iopub_channel  # noqa: B018 (the property connects a new channel)


def _error_name(cell):
    """The exception name a cell's output shows, cut to a plain identifier."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            name = re.sub(r"[^A-Za-z0-9_.]", "", str(output.get("ename", "")))[:40]
            return name or "an error"
    return None


def execute(plan, folder, timeout, limits, boxed=True, hidden=(), data_dir=None):
    """Run ``plan.notebook`` (changed in place: outputs) in a kernel in ``folder``; a :class:`Run`."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if boxed:
        prefix = sandbox.command(folder, limits, hidden, data_dir)
    else:
        prefix = limits.prlimit() if sandbox.shutil.which("prlimit") else []
    env = sandbox.environment(folder, data_dir, limits.threads)
    deadline = None

    def seconds_left(cell):
        return max(1, math.ceil(deadline - time.monotonic()))

    client = _client_class()(
        plan.notebook,
        km=_kernel_manager(folder, prefix, env),
        timeout_func=seconds_left,
        startup_timeout=120,
        shutdown_kernel="immediate",
        allow_errors=True,
        record_timing=False,
        raise_on_iopub_timeout=True,  # a lost output channel is noticed and reconnected (below)
        iopub_timeout=IOPUB_TIMEOUT,
    )
    client.caps, client.kept = {"text": limits.text_output, "rich": limits.rich_output}, {}
    run, index = Run(), 0

    def where():
        number = plan.cell_numbers[index]
        return f"cell {number}" if number else "a check the grader added"

    try:
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "stdin": subprocess.DEVNULL}
        with client.setup_kernel(cwd=str(folder), env=env, cleanup_kc=True, **quiet):
            deadline = time.monotonic() + timeout
            for index, cell in enumerate(plan.notebook.cells):
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError as error:
                    if "IOPub" not in str(error):
                        raise
                    _reconnect_output(client)
                    run.output_lost.append(plan.cell_numbers[index])
                name = _error_name(cell) if cell.cell_type == "code" else None
                if name and plan.cell_numbers[index]:
                    run.errors.append((plan.cell_numbers[index], name))
    except CellTimeoutError:
        run.outcome = f"timed out after {timeout:g} s in {where()}"
    except DeadKernelError:
        run.outcome = f"kernel died in {where()} (out of memory?)"
    except RuntimeError as error:  # the kernel did not start
        run.outcome = f"kernel failed to start ({str(error)[:200]})"
    run.output_dropped = client.dropped
    return run
