"""``python -m course lab``: start the course in JupyterLab, in the learner's workspace.

It first brings the workspace up to date (see :mod:`course.tools.workspace`:
nothing there is ever overwritten), then runs ``jupyter lab`` with the
workspace as its root folder. Options it does not know (``--port 8890``,
``--no-browser``, ``--ServerApp.*``) are passed on to ``jupyter lab``.

JupyterLab's news and update pop-ups are switched off through
``default_setting_overrides.json`` in ``jupyter_config/labconfig/`` beside this
module: the folder is put first on ``JUPYTER_CONFIG_PATH`` for this server
only. These are defaults, so the learner's own settings still win, and the
learner's global Jupyter settings are neither read differently nor written.
"""

import os
from pathlib import Path

from . import PROGRAM, ArgumentParser, command_line, fail, files, workspace

PROG = f"{PROGRAM} lab"
CONFIG_DIR = Path(__file__).resolve().with_name("jupyter_config")


def lab_arguments(folder, extra=()):
    """The ``jupyter lab`` options: ``folder`` as root, ``--allow-root`` when running as root, then ``extra``."""
    arguments = [f"--ServerApp.root_dir={folder}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        arguments.append("--allow-root")
    return arguments + list(extra)


def lab_environment(environ=None):
    """A copy of ``environ`` (default ``os.environ``) with the course's Jupyter config first on the path."""
    environ = dict(os.environ if environ is None else environ)
    earlier = environ.get("JUPYTER_CONFIG_PATH")
    environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(filter(None, [str(CONFIG_DIR), earlier]))
    return environ


def start(arguments):
    """Run JupyterLab in this process (as ``jupyter lab ARGUMENTS``) until it is stopped."""
    from jupyterlab.labapp import LabApp

    os.environ.update(lab_environment())
    LabApp.launch_instance(argv=arguments)


def cli(argv):
    argv = command_line(argv)
    parser = ArgumentParser(
        prog=PROG,
        description="Copy the course's notebooks into your workspace (never overwriting your files) "
        "and open it in JupyterLab. Other options are passed on to jupyter lab.",
        allow_abbrev=False,
    )
    parser.add_argument(
        "--dir", help=f"your workspace (default: {workspace.DEFAULT_WORKSPACE}/ in the course folder)"
    )
    parser.add_argument("--course", help="the course folder (default: found from the current folder)")
    args, extra = parser.parse_known_args(argv)
    try:
        folder = workspace.prepare(args.dir, args.course)
    except (OSError, ValueError) as error:
        return fail(PROG, files.describe(error))
    arguments = lab_arguments(folder, extra)
    print("jupyter lab " + " ".join(arguments))
    start(arguments)
    return 0
