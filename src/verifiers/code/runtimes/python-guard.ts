/**
 * Hardening of a Pyodide interpreter before any model code runs, in two layers.
 *
 * Python layer: the FFI modules (js, pyodide_js, pyodide, _pyodide*, ctypes, micropip) are removed from
 * sys.modules and the JS import finder from sys.meta_path; an audit hook (which Python code cannot remove)
 * refuses to import them again, and refuses gc.get_objects / get_referrers / get_referents and sockets (Pyodide
 * can tunnel them over WebSockets in Node), whenever model code is on the stack. Every run then starts from a snapshot: builtins, sys.modules, the dicts of every
 * module loaded at start, sys.path, the recursion limit, os.environ, the working directory and the
 * writable directories of the in-memory file system are restored.
 *
 * JS layer (pyodide-realm.ts, in the candidate process): the `js` module sees an empty object instead of the worker's globals, the
 * pyodide API loses its host file system entry points, and the worker realm loses code generation from
 * strings (Function constructors), process internals (binding, dlopen, getBuiltinModule, abort, kill), and
 * network globals (fetch, WebSocket). Even Python code that reached a JsProxy finds nothing to escape with.
 */

export const PY_GUARD = `
def _rk_install_guard():
    import sys, os, builtins, gc, shutil

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

    modules = dict(sys.modules)
    dicts = [(m.__dict__, dict(m.__dict__)) for m in modules.values() if getattr(m, "__dict__", None) is not None]
    path = list(sys.path)
    meta_path = list(sys.meta_path)
    path_hooks = list(sys.path_hooks)
    limit = sys.getrecursionlimit()
    environ = dict(os.environ)
    cwd = os.getcwd()
    writable = ("/tmp", "/home/pyodide")
    for d in writable:
        os.makedirs(d, exist_ok=True)
    listings = {d: set(os.listdir(d)) for d in writable}
    stdio = (sys.stdin, sys.stdout, sys.stderr)

    settrace, setprofile, setrecursionlimit = sys.settrace, sys.setprofile, sys.setrecursionlimit
    environ_obj, chdir, listdir, join, isdir, islink, unlink = os.environ, os.chdir, os.listdir, os.path.join, os.path.isdir, os.path.islink, os.unlink
    rmtree, gc_enable, gc_isenabled = shutil.rmtree, gc.enable, gc.isenabled

    def reset():
        # Only references taken at start: model code may have replaced any of these attributes.
        settrace(None)
        setprofile(None)
        for name in list(sys.modules):
            if name not in modules:
                del sys.modules[name]
        for name, m in modules.items():
            if sys.modules.get(name) is not m:
                sys.modules[name] = m
        for d, snap in dicts:
            for k in d.keys() - snap.keys():
                del d[k]
            for k, v in snap.items():
                if d.get(k, d) is not v:
                    d[k] = v
        sys.path[:] = path
        sys.meta_path[:] = meta_path
        sys.path_hooks[:] = path_hooks
        setrecursionlimit(limit)
        sys.stdin, sys.stdout, sys.stderr = stdio
        if dict(environ_obj) != environ:
            environ_obj.clear()
            environ_obj.update(environ)
        try:
            chdir(cwd)
        except OSError:
            pass
        for d in writable:
            try:
                for entry in set(listdir(d)) - listings[d]:
                    p = join(d, entry)
                    if isdir(p) and not islink(p):
                        rmtree(p, ignore_errors=True)
                    else:
                        unlink(p)
            except OSError:
                pass
        if not gc_isenabled():
            gc_enable()

    return reset

_rk_reset = _rk_install_guard()
del _rk_install_guard
`;
