"""The integrity guard that runs inside a student's kernel.

nbgrader's test cells run in the same Python process as the student's code, so
a submission can try to make failing tests pass: rebind ``AssertionError`` or
``check``, replace ``check.close`` or ``numpy.allclose``, strip ``assert``
statements with an IPython AST transformer, blank every later cell with an input
transformer, hide tracebacks (``get_ipython().showtraceback``,
``set_custom_exc``), install a trace function that jumps over lines, ...

Before the first cell the grader sends :data:`GUARD_SOURCE` (silently); it
snapshots everything of that kind while the kernel is still pristine, and
registers ``sys.modules["__grader_guard__"]``. Before and after every graded
test cell the grader evaluates ``check()`` through the kernel's
``user_expressions`` (evaluated by the kernel directly, not through the input
and AST transformers a submission can install): it lists every difference from
the snapshot and restores the original. A test cell with a finding scores zero
and the finding is shown in the report.

This raises the bar a long way, but it is not a proof: code in the same process
that is written against this very guard can still defeat it. What the grader
checks outside the kernel (the execute_reply status, a dead or hung kernel, the
output limit) does not depend on the kernel's cooperation.
"""

GUARD_MODULE = "__grader_guard__"
CHECK_EXPRESSION = f"__import__('sys').modules[{GUARD_MODULE!r}].check()"
# After a test cell: the test's own code may rebind names (``for _c in ...``) that a submission had bound
# to a watched module; that is not tampering, so alias changes are only re-tracked, not flagged.
CHECK_AFTER_TEST_EXPRESSION = f"__import__('sys').modules[{GUARD_MODULE!r}].check(after_test=True)"
# The snapshot is taken by an expression too, so that it sees the kernel in the same state as every check
# (IPython swaps sys.displayhook and ipykernel swaps builtins.input while a cell runs).
INSTALL_EXPRESSION = f"__import__('sys').modules[{GUARD_MODULE!r}].install()"

GUARD_SOURCE = r'''
def __grader_define():
    import builtins, sys, types, importlib
    shell = get_ipython()
    guard = types.ModuleType("__grader_guard__")
    missing = object()

    def install():
        # snapshot of the pristine kernel; defines guard.check
        kernel = getattr(shell, "kernel", None)
        watched_modules = {}
        for name in ("numpy", "numpy.testing", "numpy.linalg", "math", "course_utils.checks"):
            try:
                watched_modules[name] = importlib.import_module(name)
            except Exception:
                pass
        managed = {"get_ipython", "exit", "quit", "display", "_", "__", "___", "__IPYTHON__",
                   "copyright", "credits", "license", "help",
                   "input", "raw_input"}  # IPython and ipykernel swap these around every cell
        snapshot_builtins = {k: v for k, v in vars(builtins).items() if k not in managed}
        snapshot_modules = {name: dict(vars(module)) for name, module in watched_modules.items()}
        shell_lists = ("input_transformers_cleanup", "input_transformers_post", "ast_transformers")
        snapshot_lists = {name: (getattr(shell, name), list(getattr(shell, name))) for name in shell_lists}
        shell_attrs = ("compile", "input_transformer_manager", "displayhook", "display_pub", "CustomTB",
                       "custom_exceptions", "user_ns", "user_global_ns")
        snapshot_attrs = {name: getattr(shell, name, missing) for name in shell_attrs}
        compile_flags = shell.compile.flags
        shell_methods = ("showtraceback", "showsyntaxerror", "_showtraceback", "run_cell", "run_cell_async",
                         "run_ast_nodes", "run_code", "transform_cell", "transform_ast", "should_run_async",
                         "set_custom_exc", "ev", "user_expressions")
        snapshot_class = {name: getattr(type(shell), name, None) for name in shell_methods}
        snapshot_instance = {name: vars(shell).get(name, missing) for name in shell_methods}
        kernel_methods = ("do_execute", "execute_request", "send_response", "_publish_execute_input")
        snapshot_kernel = {name: getattr(type(kernel), name, None) for name in kernel_methods} if kernel else {}
        snapshot_sys = {name: getattr(sys, name) for name in ("excepthook", "displayhook", "breakpointhook")}
        snapshot_sysmods = dict(watched_modules)
        snapshot_sysmods["builtins"] = builtins
        state = {"aliases": {}}

        def _track_aliases():
            # names of the user's namespace that are bound to a watched module (``check``, ``np``)
            mods = {id(m): m for m in watched_modules.values()}
            state["aliases"] = {k: v for k, v in list(shell.user_ns.items())
                                if isinstance(v, types.ModuleType) and id(v) in mods}

        def check(after_test=False):
            findings = []
            for name, value in snapshot_builtins.items():
                current = vars(builtins).get(name, KeyError)
                if current is not value:
                    findings.append(f"builtins.{name} was replaced")
                    setattr(builtins, name, value)
            for name, original in snapshot_modules.items():
                module = watched_modules[name]
                namespace = vars(module)
                for key, value in original.items():
                    if namespace.get(key, KeyError) is not value:
                        findings.append(f"{name}.{key} was replaced")
                        namespace[key] = value
            for name, module in snapshot_sysmods.items():
                if sys.modules.get(name) is not module:
                    findings.append(f"sys.modules[{name!r}] was replaced")
                    sys.modules[name] = module
            for name, (obj, items) in snapshot_lists.items():
                if getattr(shell, name) is not obj or list(obj) != items:
                    findings.append(f"IPython's {name} were changed")
                    obj[:] = items
                    setattr(shell, name, obj)
            for name, value in snapshot_attrs.items():
                if getattr(shell, name, missing) is not value:
                    findings.append(f"IPython's {name} was replaced")
                    if value is missing:
                        delattr(shell, name)
                    else:
                        setattr(shell, name, value)
            if shell.compile.flags != compile_flags:
                findings.append("IPython's compiler flags were changed")
                shell.compile.flags = compile_flags
            for name, value in snapshot_class.items():
                if vars(shell).get(name, missing) is not snapshot_instance[name]:
                    findings.append(f"get_ipython().{name} was replaced")
                    if snapshot_instance[name] is missing:
                        delattr(shell, name)
                    else:
                        setattr(shell, name, snapshot_instance[name])
                if getattr(type(shell), name, None) is not value:
                    findings.append(f"IPython's {type(shell).__name__}.{name} was replaced")
                    setattr(type(shell), name, value)
            if kernel is not None:
                for name, value in snapshot_kernel.items():
                    if name in vars(kernel):
                        findings.append(f"the kernel's {name} was replaced")
                        delattr(kernel, name)
                    if getattr(type(kernel), name, None) is not value:
                        findings.append(f"the kernel's {type(kernel).__name__}.{name} was replaced")
                        setattr(type(kernel), name, value)
            for name, value in snapshot_sys.items():
                if getattr(sys, name) is not value:
                    findings.append(f"sys.{name} was replaced")
                    setattr(sys, name, value)
            if sys.gettrace() is not None:
                findings.append("a trace function was installed (sys.settrace)")
                sys.settrace(None)
            if sys.getprofile() is not None:
                findings.append("a profile function was installed (sys.setprofile)")
                sys.setprofile(None)
            if shell.user_ns.get("__builtins__", builtins) not in (builtins, vars(builtins)):
                findings.append("__builtins__ of the notebook was replaced")
                shell.user_ns["__builtins__"] = builtins
            for name, module in state["aliases"].items():
                if shell.user_ns.get(name) is not module and not after_test:
                    findings.append(f"the name {name!r} (module {module.__name__}) was rebound")
                    shell.user_ns[name] = module
            _track_aliases()
            return findings

        guard.check = check
        _track_aliases()
        return []

    guard.install = install
    sys.modules["__grader_guard__"] = guard

__grader_define()
del __grader_define
'''
