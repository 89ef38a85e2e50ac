"""Classroom grading: each notebook in a sandbox, judged outside the student's code.

==============  ================================================================
``cli``         ``python -m course grade``: finding submissions, shards, jobs,
                signals, the run; ``grade merge``
``blueprint``   the exercises and check cells, from the course's own notebooks;
                a submission restored against them
``sandbox``     bubblewrap and resource limits around each kernel
``runner``      running every cell in the sandboxed kernel, output capped
``inkernel``    the restored checks' half inside the kernel: probe and export
``judging``     reading the exports and judging in the grader's process
``review``      the tamper report (the ``review`` column)
``gradebook``   the journal and the CSV files; ``merge``
``feedback``    the HTML page per student and notebook
==============  ================================================================
"""
