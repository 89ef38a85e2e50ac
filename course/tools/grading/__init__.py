"""Classroom grading: each notebook in a sandbox, judged outside the student's code.

==============  ================================================================
``cli``         ``python -m course grade``: finding submissions, shards, jobs,
                signals, the run; ``grade merge``
``blueprint``   the exercises and check cells, from the course's own notebooks;
                a submission restored against them
``sandbox``     bubblewrap and resource limits around each kernel
``runner``      every cell in the sandboxed kernel, then one probe request per
                exercise; output capped, time limits kept from outside
``inkernel``    the grader's half inside the kernel: a probe, answered at once
``judging``     each probe's reply to a verdict, in the grader's process
``review``      the tamper report (the ``review`` column)
``gradebook``   the journal and the CSV files; ``merge``
``feedback``    the HTML page per student and notebook
==============  ================================================================
"""
