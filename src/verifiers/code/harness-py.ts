/**
 * The Python side of the harness, shared by the Pyodide runtime (driven test by test from JS) and the
 * process runtime (a script that runs the tests in order and reports each on file descriptor 3).
 *
 * Reports never go through the program's stdout, so printing cannot forge them. In the process runtime
 * every report carries a per-run random marker (read from the environment, which the harness clears
 * before any model code runs) and the last one, written only after the last test, says so: a program that
 * exits early, whatever its exit code, has no end report and fails.
 */

export const PY_HARNESS = `
import sys as _sys, json as _json, time as _time, builtins as _builtins, io as _io

_RK_SOL = "<solution>"

def _rk_where(e):
    tb = e.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in (_RK_SOL, "<test>"):
            line = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return line

def _rk_error(e, status="error"):
    name = type(e).__name__
    try:
        msg = str(e)
    except BaseException:
        msg = "<unprintable>"
    if len(msg) > 2000:
        msg = msg[:2000] + "..."
    w = _rk_where(e)
    if w is not None:
        msg = ("%s line %d: %s" % (w[0], w[1], msg)) if msg else ("%s line %d" % (w[0], w[1]))
    if isinstance(e, AssertionError):
        status = "fail"
    elif isinstance(e, MemoryError):
        status = "memory"
    elif isinstance(e, SystemExit):
        status = "exit"
    elif isinstance(e, SyntaxError) and getattr(e, "filename", None) == _RK_SOL:
        status = "compile"
    return {"status": status, "type": name, "message": msg}

def _rk_jsonable(v):
    if isinstance(v, tuple):
        return [_rk_jsonable(x) for x in v]
    if isinstance(v, list):
        return [_rk_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _rk_jsonable(x) for k, x in v.items()}
    if isinstance(v, (set, frozenset)):
        try:
            return sorted(_rk_jsonable(x) for x in v)
        except TypeError:
            return [_rk_jsonable(x) for x in v]
    return v

class _RkHarness:
    def __init__(self):
        self.g = None

    def setup(self, code):
        self.g = {"__name__": "__main__", "__builtins__": _builtins}
        try:
            c = compile(code, _RK_SOL, "exec")
        except SyntaxError as e:
            return {"status": "compile", "type": type(e).__name__, "message": "line %s: %s" % (e.lineno, e.msg)}
        except BaseException as e:
            return _rk_error(e)
        try:
            exec(c, self.g)
        except BaseException as e:
            return _rk_error(e)
        return {"status": "pass"}

    def test(self, t):
        try:
            if "code" in t:
                try:
                    c = compile(t["code"], "<test>", "exec")
                except SyntaxError as e:
                    return {"status": "error", "type": "SyntaxError", "message": "test does not compile: line %s: %s" % (e.lineno, e.msg)}
                exec(c, self.g)
                return {"status": "pass"}
            name = t["call"]
            f = self.g.get(name)
            if f is None and "Solution" in self.g:
                f = getattr(self.g["Solution"](), name, None)
            if f is None:
                return {"status": "error", "type": "NameError", "message": "no function '%s' defined" % name}
            v = f(*t["args"])
            try:
                return {"status": "pass", "value": _json.dumps(_rk_jsonable(v), allow_nan=True)}
            except (TypeError, ValueError) as e:
                return {"status": "fail", "type": "TypeError", "message": "the result is not JSON-serializable: %r" % (v,)[:300]}
        except BaseException as e:
            return _rk_error(e)

def _rk_stdio(code, stdin_text):
    """Runs a program as __main__ with stdin_text as its standard input (Pyodide; the process runtime runs it directly)."""
    old_in = _sys.stdin
    _sys.stdin = _io.TextIOWrapper(_io.BytesIO(stdin_text.encode("utf-8")), encoding="utf-8")
    g = {"__name__": "__main__", "__builtins__": _builtins}
    try:
        try:
            c = compile(code, _RK_SOL, "exec")
        except SyntaxError as e:
            return {"status": "compile", "type": "SyntaxError", "message": "line %s: %s" % (e.lineno, e.msg)}
        exec(c, g)
        return {"status": "pass"}
    except SystemExit as e:
        if e.code is None or e.code == 0:
            return {"status": "pass"}
        return {"status": "error", "type": "SystemExit", "message": "exit code %s" % (e.code,)}
    except BaseException as e:
        return _rk_error(e)
    finally:
        try:
            _sys.stdout.flush()
        except BaseException:
            pass
        _sys.stdin = old_in
`;

/** The process runtime's driver: runs the plan file given as argv[1], reporting on fd 3. */
export const PY_PROCESS_MAIN = String.raw`
def _rk_main():
    import os as _os
    marker = _os.environ.pop("RK_MARKER", "")
    with open(_sys.argv[1], encoding="utf-8") as f:
        plan = _json.load(f)
    out = _os.fdopen(3, "w", buffering=1, encoding="utf-8")
    write = out.write
    flush = out.flush
    def emit(d):
        d["m"] = marker
        write(_json.dumps(d) + "\n")
        flush()
    del _sys.argv[1:]
    h = _RkHarness()
    t0 = _time.perf_counter()
    r = h.setup(plan["setup"])
    r["index"] = -1
    r["ms"] = (_time.perf_counter() - t0) * 1000
    emit(r)
    if r["status"] != "pass":
        return
    tests = plan["tests"]
    for i in range(plan["start"], len(tests)):
        emit({"begin": i})
        t0 = _time.perf_counter()
        r = h.test(tests[i])
        r["index"] = i
        r["ms"] = (_time.perf_counter() - t0) * 1000
        try:
            _sys.stdout.flush()
        except BaseException:
            pass
        emit(r)
        if r["status"] != "pass" and plan["stopOnFail"]:
            break
    emit({"end": True})

_rk_main()
`;
