"""The box a submission's kernel runs in: bubblewrap plus resource limits (Linux).

Inside, the kernel sees the system and the course's installation read-only
(without ``course/exercises/judging/``: the judges and reference answers),
one private writable folder (its ``HOME`` and working folder), an empty
``/tmp`` and ``/run`` (no host sockets), no network, only its own processes,
and an environment built from an allow-list. Hidden behind empty folders: the teacher's home, ``/tmp``, the
course folder (except the package itself), the submissions and the grader's
output. Limits apply to memory (address space), processes, file size, CPU
time and open files. ``--die-with-parent`` and a PID namespace end every
process of the box when the kernel goes, detached daemons included; in its own
PID namespace the kernel cannot see, nor signal, the grader.
"""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

GIGABYTE = 1_000_000_000
HOW_TO_GET_ONE = (
    "install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install "
    "bubblewrap), or pass --no-sandbox to run students' code with all your rights (not advised)"
)


class NoSandbox(RuntimeError):
    """No working sandbox on this machine; the message says how to get one."""


@dataclass(frozen=True)
class Limits:
    """What one notebook's kernel may use."""

    memory: int = 4 * GIGABYTE  # bytes of address space per process
    processes: int = 256
    file_size: int = GIGABYTE // 4  # bytes, per file written
    open_files: int = 1024
    cpu_seconds: int = 1200  # per process
    text_output: int = 2_000_000  # bytes of printed text kept per notebook; the rest is dropped
    rich_output: int = 50_000_000  # bytes of pictures and other rich output kept per notebook
    threads: int = 0  # CPU threads for TensorFlow and NumPy's BLAS per kernel; 0: as many as the cores

    def prlimit(self):
        """The ``prlimit`` command line that applies these limits to what follows it."""
        return [
            "prlimit",
            f"--as={self.memory}",
            f"--nproc={self.processes}",
            f"--fsize={self.file_size}",
            f"--nofile={self.open_files}",
            f"--cpu={self.cpu_seconds}",
            "--core=0",
            "--",
        ]


def bubblewrap():
    """The ``bwrap`` program, or None."""
    return shutil.which("bwrap")


def check_available():
    """Raise :class:`NoSandbox` unless bubblewrap can start a box here (a one-second trial)."""
    if not sys.platform.startswith("linux"):
        raise NoSandbox(
            f"the sandbox needs Linux; this is {sys.platform}: grade on Linux, or {HOW_TO_GET_ONE}"
        )
    program = bubblewrap()
    if program is None or shutil.which("prlimit") is None:
        missing = "bwrap" if program is None else "prlimit (util-linux)"
        raise NoSandbox(f"{missing} was not found: {HOW_TO_GET_ONE}")
    trial = [program, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net"]
    trial += ["--unshare-pid", "--die-with-parent", "true"]
    try:
        done = subprocess.run(trial, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise NoSandbox(f"bubblewrap could not start a sandbox ({error}): {HOW_TO_GET_ONE}") from None
    if done.returncode != 0:
        why = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        raise NoSandbox(
            f"bubblewrap cannot start a sandbox here ({why[0]}); unprivileged user namespaces may be "
            f"switched off (sysctl kernel.unprivileged_userns_clone=1): {HOW_TO_GET_ONE}"
        )


def environment(folder, data_dir=None, threads=0):
    """The kernel's whole environment: an allow-list, nothing of the teacher's.

    ``threads`` (when not 0) caps TensorFlow's and the BLAS's thread pools, so that kernels
    graded side by side share the cores instead of each starting a thread per core.
    """
    python_bin = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TMPDIR": "/tmp",
        "COURSE_FAST": os.environ.get("COURSE_FAST", "1"),
        "COURSE_STRICT": "0",
        "COURSE_WORKDIR": str(folder / "work"),
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(folder / ".matplotlib"),
        "KERAS_HOME": str(folder / ".keras"),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    if data_dir is not None:
        env["COURSE_DATA_DIR"] = str(data_dir)
    if threads:
        for name in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
            env[name] = str(threads)
    return env


def _installation():
    """Folders the kernel needs to read: the Python environment and the course package."""
    import course

    package = Path(course.__file__).resolve().parent
    folders = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), package}
    return sorted(folders, key=lambda p: len(p.parts)), package


def _hide(path):
    """bwrap arguments that put an empty thing over ``path`` (nothing if it is absent).

    Folders get an empty tmpfs; :func:`command` makes them read-only once everything is mounted.
    """
    if path.is_dir():
        return ["--tmpfs", str(path)]
    if path.exists():
        return ["--ro-bind", "/dev/null", str(path)]
    return []


def command(folder, limits, hidden=(), data_dir=None):
    """The command prefix that runs a program in a box whose only writable place is ``folder``.

    ``hidden``: more paths to cover (other submissions, the grader's output).
    ``data_dir``: a dataset folder shared read-only by every box.
    """
    folder = Path(folder).resolve()
    installation, package = _installation()
    course_root = package.parent
    args = [bubblewrap(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    covered = [Path("/tmp"), Path.home().resolve()]
    args += ["--size", str(limits.file_size), "--tmpfs", "/tmp", *_hide(covered[1])]
    args += _hide(Path("/run"))  # the host's sockets (a container engine's, the system bus)
    if course_root not in (Path("/"), *covered) and course_root != Path(sys.prefix).resolve():
        covered.append(course_root)  # solutions/, and often the submissions and gradebooks
        args += _hide(course_root)
    for path in map(Path.resolve, map(Path, hidden)):
        if not any(path.is_relative_to(place) for place in covered):
            args += _hide(path)
    for path in installation:
        args += ["--ro-bind", str(path), str(path)]
    args += _hide(package / "exercises" / "judging")  # the judges and the reference answers
    if data_dir is not None:
        args += ["--ro-bind", str(Path(data_dir).resolve()), str(Path(data_dir).resolve())]
    args += ["--bind", str(folder), str(folder), "--chdir", str(folder)]
    covers = [target for op, target in zip(args, args[1:]) if op == "--tmpfs" and target != "/tmp"]
    for target in covers:
        args += ["--remount-ro", target]
    args += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    args += ["--die-with-parent", "--new-session", "--clearenv"]
    for name, value in environment(folder, data_dir, limits.threads).items():
        args += ["--setenv", name, value]
    return [*args, "--", *limits.prlimit()]
