"""Class-scale autograding on top of nbgrader (``python tools/autograde_class.py``).

The score is decided by the grader, from data: test cells run in the grader's process on trusted
references; the student's code runs in a sandboxed kernel and only plain data crosses between them.

* :mod:`.cli`         the command: discovery, the plans, the worker pool, the progress bar, the summary;
* :mod:`.plan`        what each test cell may read: the notebook's own recorded values, the student's names;
* :mod:`.worker`      a long-lived worker: nbgrader's Autograde converter in a scratch course;
* :mod:`.execute`     nbgrader's Execute preprocessor: student cells in the kernel, test cells in the grader;
* :mod:`.runner`      a test cell run in the grader, and the outputs nbgrader scores;
* :mod:`.bridge`      the grader's proxies for the student's functions, and the exchange with the kernel;
* :mod:`.kernel_side` the helper inside the student's kernel that runs the student's code on request;
* :mod:`.wire`        the plain-data format of everything that crosses the sandbox boundary;
* :mod:`.sandbox`     the bubblewrap sandbox of the student's kernel;
* :mod:`.cgroups`     memory, process and CPU limits for a whole submission;
* :mod:`.merge`       reading submissions without following links, merging into the real gradebook;
* :mod:`.outcomes`    points (gradebook) and failure messages (autograded notebooks) per cell;
* :mod:`.feedback`    student feedback without hidden test source;
* :mod:`.report`      the instructor's HTML grade report with matplotlib figures;
* :mod:`.text`        text from submissions made safe to print and draw.
"""
