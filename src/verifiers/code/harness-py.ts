/**
 * Python helpers every candidate interpreter loads next to the program (Pyodide's candidate process and
 * the process runtime's python3 server): how an exception is described (`_rk_error`), how a `call`
 * test's value becomes JSON (`_rk_jsonable`), and a stdin/stdout run (`_rk_stdio`). They run in the
 * candidate and decide nothing: the judge and the host do (bridge/plain-py.ts).
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
        # The status python3 would exit with: an int modulo 256 (sys.exit(256) is 0); anything else
        # but None (sys.exit(0.0), sys.exit("0")) is printed and exits 1.
        c = e.code
        if c is None or (isinstance(c, int) and int.__index__(c) & 255 == 0):
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
