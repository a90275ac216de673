"""Class-scale autograding on top of nbgrader (``python tools/autograde_class.py``).

* :mod:`.cli`      the command: discovery, the worker pool, the progress bar, the summary;
* :mod:`.worker`   a long-lived worker: nbgrader's Autograde converter in a scratch course;
* :mod:`.execute`  nbgrader's Execute preprocessor, hardened (limits, kernel recovery, guard);
* :mod:`.sandbox`  the bubblewrap sandbox and resource limits of the student's kernel;
* :mod:`.guard`    the integrity guard that runs in the kernel around each graded test cell;
* :mod:`.merge`    merging a worker's scores into the real gradebook through nbgrader's API;
* :mod:`.outcomes` points (gradebook) and failure messages (autograded notebooks) per cell;
* :mod:`.feedback` student feedback without hidden test source;
* :mod:`.report`   the instructor's HTML grade report with matplotlib figures.
"""
