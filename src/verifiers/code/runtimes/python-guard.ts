/**
 * Hardening of a Pyodide interpreter before any model code runs, in two layers.
 *
 * Python layer: the FFI modules (js, pyodide_js, pyodide, _pyodide*, ctypes, micropip) are removed from
 * sys.modules and the JS import finder from sys.meta_path; an audit hook (which Python code cannot remove)
 * refuses to import them again, and refuses gc.get_objects / get_referrers / get_referents and sockets (Pyodide
 * can tunnel them over WebSockets in Node), whenever model code is on the stack. (Nothing is reset here: the candidate process restores the
 * interpreter's whole memory before every sample, python-candidate.ts.)
 *
 * JS layer (pyodide-realm.ts, in the candidate process): the `js` module sees an empty object instead of the worker's globals, the
 * pyodide API loses its host file system entry points, and the worker realm loses code generation from
 * strings (Function constructors), process internals (binding, dlopen, getBuiltinModule, abort, kill), and
 * network globals (fetch, WebSocket). Even Python code that reached a JsProxy finds nothing to escape with.
 */

export const PY_GUARD = `
def _rk_install_guard():
    import sys, os

    BLOCKED = ("js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core", "micropip", "ctypes", "_ctypes",
               "pyodide_http", "pyodide_kernel", "_testcapi", "_testinternalcapi", "_testlimitedcapi",
               "_testbuffer", "_testclinic", "_testclinic_limited", "_xxtestfuzz", "_remote_debugging")
    USER_FILES = ("<solution>", "<test>")
    getframe = sys._getframe

    def user_on_stack():
        f = getframe(1)
        while f is not None:
            if f.f_code.co_filename in USER_FILES:
                return True
            f = f.f_back
        return False

    def blocked(name):
        return any(name == b or name.startswith(b + ".") for b in BLOCKED)

    def hook(event, args):
        if event == "import":
            if blocked(str(args[0])) and user_on_stack():
                raise ImportError("module '%s' is not available in the sandbox" % args[0])
        elif event in ("gc.get_objects", "gc.get_referrers", "gc.get_referents") or event.startswith("socket."):
            if user_on_stack():
                raise RuntimeError("%s is not available in the sandbox" % event)

    sys.addaudithook(hook)
    sys.meta_path[:] = [f for f in sys.meta_path if "JsFinder" not in type(f).__name__]
    for name in list(sys.modules):
        if blocked(name):
            del sys.modules[name]

    # Exits must not tear down the interpreter: os._exit becomes a SystemExit like sys.exit.
    def _exit(code=0):
        raise SystemExit(code)
    os._exit = _exit
    try:
        import posix
        posix._exit = _exit
    except ImportError:
        pass

    # Importing a few common modules now makes them part of the snapshot (and faster for every run).
    for m in ("math", "re", "collections", "itertools", "functools", "heapq", "bisect", "string", "random",
              "json", "typing", "fractions", "decimal", "statistics", "copy", "operator", "hashlib", "datetime",
              "io", "array", "dataclasses", "enum", "unittest"):
        try:
            __import__(m)
        except Exception:
            pass

    for d in ("/tmp", "/home/pyodide"):
        os.makedirs(d, exist_ok=True)

_rk_install_guard()
del _rk_install_guard
`;
