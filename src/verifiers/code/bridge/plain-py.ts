/**
 * The Python side of the judge/candidate boundary. Assert-style tests never run next to the candidate:
 * the judge (a trusted interpreter) holds the test code and the expected values, and reaches the
 * candidate's functions through proxies that pass only plain data, encoded as JSON by these functions.
 *
 * Encoding (JSON): None, bools, ints (exact, any size), floats (non-finite as {"f": "nan"|"inf"|"-inf"}),
 * str, list as an array; {"t": [...]} tuple, {"d": [[k, v], ...]} dict, {"s": [...]} set,
 * {"fs": [...]} frozenset, {"b": base64} bytes, {"c": [re, im]} complex. Nothing else crosses: an
 * object with behaviour (an always-equal __eq__, a patched subclass) is refused or reduced to the value
 * of its built-in base, read with the base type's own methods, so no candidate code runs in the judge.
 */

/** Shared by judge and candidate: encode / decode plain data. */
export const PY_PLAIN = `
import json as _rk_json, base64 as _rk_b64, sys as _rk_sys, math as _rk_math
try:
    _rk_sys.set_int_max_str_digits(0)
except AttributeError:
    pass

_RK_MAX_ITEMS = 1000000

class _RkNotPlain(TypeError):
    pass

def _rk_float(x):
    x = float.__float__(x)
    if x != x:
        return {"f": "nan"}
    if x in (float("inf"), float("-inf")):
        return {"f": "inf" if x > 0 else "-inf"}
    return x

def _rk_enc(v, depth=0):
    if depth > 200:
        raise _RkNotPlain("the value is nested more than 200 levels deep")
    t = type(v)
    if v is None or t is bool:
        return v
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, int):
        return int.__index__(v) if t is int else int(int.__repr__(v))
    if isinstance(v, float):
        return _rk_float(v)
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, (bytes, bytearray)):
        return {"b": _rk_b64.b64encode(bytes(v)).decode("ascii")}
    if isinstance(v, complex):
        return {"c": [_rk_float(complex.real.__get__(v)), _rk_float(complex.imag.__get__(v))]}
    d = depth + 1
    if isinstance(v, list):
        return [_rk_enc(list.__getitem__(v, i), d) for i in range(list.__len__(v))]
    if isinstance(v, tuple):
        return {"t": [_rk_enc(tuple.__getitem__(v, i), d) for i in range(tuple.__len__(v))]}
    if isinstance(v, dict):
        return {"d": [[_rk_enc(k, d), _rk_enc(x, d)] for k, x in dict.items(v)]}
    if isinstance(v, frozenset):
        return {"fs": [_rk_enc(x, d) for x in frozenset.__iter__(v)]}
    if isinstance(v, set):
        return {"s": [_rk_enc(x, d) for x in set.__iter__(v)]}
    if hasattr(t, "__next__") and hasattr(t, "__iter__"):
        # A generator or iterator: its items, as a list (tests read them with list() or a loop).
        out = []
        for x in v:
            if len(out) >= _RK_MAX_ITEMS:
                raise _RkNotPlain("the iterator yields more than %d items" % _RK_MAX_ITEMS)
            out.append(_rk_enc(x, d))
        return out
    raise _RkNotPlain("a %s object is not plain data (only None, bool, int, float, complex, str, bytes, list, tuple, dict, set cross to the tests)" % t.__name__)

def _rk_dec(x):
    if x is None or type(x) in (bool, int, float, str):
        return x
    if type(x) is list:
        return [_rk_dec(i) for i in x]
    if type(x) is dict and len(x) == 1:
        (k, v), = x.items()
        if k == "t":
            return tuple(_rk_dec(i) for i in v)
        if k == "d":
            return {_rk_dec(a): _rk_dec(b) for a, b in v}
        if k == "s":
            return set(_rk_dec(i) for i in v)
        if k == "fs":
            return frozenset(_rk_dec(i) for i in v)
        if k == "f":
            return float(v)
        if k == "b":
            return _rk_b64.b64decode(v)
        if k == "c":
            return complex(_rk_dec(v[0]), _rk_dec(v[1]))
    raise ValueError("not an encoded plain value")

def _rk_dumps(v):
    return _rk_json.dumps(_rk_enc(v), allow_nan=False, separators=(",", ":"))
`;

/**
 * The judge: runs trusted code (the prompt's helpers, the reference's setup and test code) in a fresh
 * namespace per sample, with the candidate's functions as proxies. `_rk_call_candidate(name, args_json)`
 * is provided by the host (a synchronous call across the boundary) and returns the reply as JSON text.
 */
export const PY_JUDGE = `
import builtins as _rk_builtins, ast as _rk_ast

class _RkAbort(BaseException):
    """The candidate's run ended (time, memory, output limit, exit, crash): the test cannot go on."""
    def __init__(self, status, message):
        BaseException.__init__(self, message)
        self.status = status

class CandidateError(Exception):
    """An exception the candidate raised whose type is not a built-in one."""

def _rk_builtin_exc(name):
    t = getattr(_rk_builtins, name, None)
    # StopIteration and StopAsyncIteration steer the judge's own loops (a map() or generator in a test
    # would end early and pass): they arrive as CandidateError like any type they could be confused with.
    if name in ("StopIteration", "StopAsyncIteration"):
        return None
    if isinstance(t, type) and issubclass(t, Exception) and t.__module__ == "builtins":
        return t
    return None

def _rk_raise(r):
    name = str(r.get("type", "Exception"))
    msg = str(r.get("message", ""))
    t = _rk_builtin_exc(name)
    try:
        if t is not None:
            e = t(msg)
        else:
            # The program's own exception class, e.g. a ValueError subclass: to the tests it is an
            # instance of its nearest built-in base (what 'except ValueError' in the tests catches),
            # rebuilt here under its name; nothing of the program's class crosses.
            base = _rk_builtin_exc(str(r.get("base", "")))
            if base is None:
                raise TypeError
            e = type(name, (base,), {"__module__": "candidate"})(msg)
    except Exception:
        e = CandidateError("%s: %s" % (name, msg))
    raise e

def _rk_sync(a, b, depth=0):
    """Writes what the candidate made of an argument into the test's own object in place, keeping the
    identity of every container both share (a test may check the list it passed). Plain data only;
    False when the object cannot take it in place."""
    if depth > 200:
        return False
    ta, tb = type(a), type(b)
    if ta is list and tb is list:
        n = min(len(a), len(b))
        for i in range(n):
            if not _rk_sync(a[i], b[i], depth + 1):
                a[i] = b[i]
        del a[n:]
        a.extend(b[n:])
        return True
    if ta is dict and tb is dict:
        for k in [k for k in a if k not in b]:
            del a[k]
        for k, v in b.items():
            if not (k in a and _rk_sync(a[k], v, depth + 1)):
                a[k] = v
        return True
    if ta is set and tb is set:
        a.clear()
        a.update(b)
        return True
    if ta is tuple and tb is tuple and len(a) == len(b):
        # The tuple stays; what it holds may have changed in place.
        for x, y in zip(a, b):
            _rk_sync(x, y, depth + 1)
        return True
    return False

class _RkProxy:
    __slots__ = ("_name",)
    def __init__(self, name):
        self._name = name
    def __call__(self, *args, **kwargs):
        if kwargs:
            payload = {"args": _rk_enc(list(args)), "kwargs": _rk_enc(kwargs)}
        else:
            payload = {"args": _rk_enc(list(args))}
        reply = _rk_json.loads(_rk_call_candidate(self._name, _rk_json.dumps(payload, allow_nan=False)))
        if "value" in reply:
            # What comes back is the candidate's word: anything but plain values of the same shape is
            # ignored (the test's objects stay as they were), never an error of the test.
            try:
                after = _rk_dec(reply["mutated"]) if "mutated" in reply else None
            except Exception:
                after = None
            if type(after) is list:
                for a, b in zip(args, after):
                    _rk_sync(a, b)
            try:
                after = _rk_dec(reply["mutated_kw"]) if "mutated_kw" in reply else None
            except Exception:
                after = None
            if type(after) is dict:
                for k, a in kwargs.items():
                    if k in after:
                        _rk_sync(a, after[k])
            return _rk_dec(reply["value"])
        if "raise" in reply:
            _rk_raise(reply["raise"])
        raise _RkAbort(str(reply.get("abort", "error")), str(reply.get("message", "the candidate stopped")))
    def __repr__(self):
        return "<candidate function %s>" % self._name

def _rk_loads(names):
    out = set()
    for node in _rk_ast.walk(names):
        if isinstance(node, _rk_ast.Name):
            out.add(node.id)
    return out

class _RkJudge:
    def __init__(self):
        self.g = None

    def begin(self, trusted, tests, entry, candidate_names):
        """A fresh namespace: trusted code first, then a proxy for the entry point and for every name the
        tests use that the candidate defines and the trusted code does not."""
        self.g = {"__name__": "__main__", "__builtins__": _rk_builtins}
        try:
            exec(compile(trusted, "<tests>", "exec"), self.g)
        except BaseException as e:
            return {"status": "error", "type": type(e).__name__, "message": "the test setup failed: %s" % (e,)}
        used = set()
        for t in tests:
            try:
                used |= _rk_loads(_rk_ast.parse(t))
            except SyntaxError:
                pass
        have = set(candidate_names)
        for n in used:
            if n in self.g or hasattr(_rk_builtins, n):
                continue
            if n in have:
                self.g[n] = _RkProxy(n)
            elif n in _rk_sys.stdlib_module_names:
                # A module the candidate imported and the tests use unqualified (math.isclose, ...).
                try:
                    self.g[n] = __import__(n)
                except ImportError:
                    pass
        if entry:
            self.g[entry] = _RkProxy(entry)
        return {"status": "pass"}

    def test(self, code):
        try:
            c = compile(code, "<test>", "exec")
        except SyntaxError as e:
            return {"status": "error", "type": "SyntaxError", "message": "test does not compile: line %s: %s" % (e.lineno, e.msg)}
        try:
            exec(c, self.g)
            return {"status": "pass"}
        except _RkAbort as e:
            return {"status": e.status, "message": str(e)}
        except AssertionError as e:
            return {"status": "fail", "type": "AssertionError", "message": str(e)[:2000]}
        except BaseException as e:
            try:
                msg = str(e)[:2000]
            except BaseException:
                msg = "<unprintable>"
            return {"status": "error", "type": type(e).__name__, "message": msg}
`;

/**
 * The candidate's side: loads the program as __main__, lists its callables, and answers calls with
 * encoded values. It runs next to the candidate and so is not trusted: all it can do is give answers,
 * which the judge checks.
 */
export const PY_CANDIDATE = `
def _rk_exc_base(e):
    """The name of the nearest built-in class of an exception's type (the judge checks it)."""
    try:
        for c in type(e).__mro__:
            if c.__module__ == "builtins":
                return str(c.__name__)
    except BaseException:
        pass
    return "Exception"

class _RkCandidate:
    def __init__(self):
        self.g = None

    def load(self, code):
        self.g = {"__name__": "__main__", "__builtins__": _rk_real_builtins}
        try:
            c = compile(code, "<solution>", "exec")
        except SyntaxError as e:
            return {"status": "compile", "type": "SyntaxError", "message": "line %s: %s" % (e.lineno, e.msg)}
        except BaseException as e:
            return _rk_error(e)
        try:
            exec(c, self.g)
        except BaseException as e:
            return _rk_error(e)
        return {"status": "pass", "names": [k for k, v in list(self.g.items()) if isinstance(k, str) and callable(v)]}

    def find(self, name):
        f = self.g.get(name)
        if f is None and "Solution" in self.g:
            f = getattr(self.g["Solution"](), name, None)
        return f

    def call(self, name, payload):
        """A call from the judge: the reply as JSON text."""
        try:
            p = _rk_json.loads(payload)
            args = _rk_dec(p["args"])
            kwargs = _rk_dec(p["kwargs"]) if "kwargs" in p else {}
            f = self.find(name)
            if f is None:
                raise NameError("name '%s' is not defined" % name)
            v = f(*args, **kwargs)
            out = {"value": _rk_enc(v)}
            # Arguments changed in place go back as plain data, for the judge to write into its own.
            try:
                after = _rk_enc(list(args))
                if after != p["args"]:
                    out["mutated"] = after
                if kwargs:
                    after = _rk_enc(kwargs)
                    if after != p["kwargs"]:
                        out["mutated_kw"] = after
            except Exception:
                pass
            return _rk_json.dumps(out, allow_nan=False, separators=(",", ":"))
        except SystemExit as e:
            return _rk_json.dumps({"abort": "exit", "message": "SystemExit: %s" % (e.code,)})
        except MemoryError:
            return _rk_json.dumps({"abort": "memory", "message": "MemoryError"})
        except RecursionError as e:
            return _rk_json.dumps({"raise": {"type": "RecursionError", "message": str(e)[:500]}})
        except BaseException as e:
            try:
                msg = str(e)[:2000]
            except BaseException:
                msg = "<unprintable>"
            return _rk_json.dumps({"raise": {"type": type(e).__name__, "message": msg, "base": _rk_exc_base(e)}})

    def call_json(self, name, args):
        """A call test (the host compares): the returned value as JSON text."""
        try:
            f = self.find(name)
            if f is None:
                return {"status": "error", "type": "NameError", "message": "no function '%s' defined" % name}
            v = f(*args)
            try:
                return {"status": "pass", "value": _rk_json.dumps(_rk_jsonable(v), allow_nan=True)}
            except (TypeError, ValueError):
                return {"status": "fail", "type": "TypeError", "message": "the result is not JSON-serializable: %r" % (v,)[:300]}
        except BaseException as e:
            return _rk_error(e)
`;

/** The candidate's entry point for its host: one operation, JSON text in and out. */
export const PY_SERVE = `
_rk_cand = None
def _rk_op(op, a, b):
    global _rk_cand
    if op == "load":
        _rk_cand = _RkCandidate()
        return _rk_json.dumps(_rk_cand.load(a))
    if op == "call":
        return _rk_cand.call(a, b)
    if op == "call_json":
        return _rk_json.dumps(_rk_cand.call_json(a, _rk_json.loads(b)))
    return _rk_json.dumps(_rk_stdio(a, b))
`;

/**
 * The process runtime's candidate (python3 in the sandbox): requests in and replies out on file
 * descriptor 3, one JSON line each; the program's output goes to its own stdout and stderr. A fresh
 * process per sample.
 */
export const PY_PROCESS_SERVER = `
import builtins as _rk_real_builtins
${PY_SERVE}
def _rk_serve():
    import sys
    rf = open(3, "rb", closefd=False)
    wf = open(3, "wb", buffering=0, closefd=False)
    dumps, loads = _rk_json.dumps, _rk_json.loads
    while True:
        line = rf.readline()
        if not line:
            return
        req = loads(line)
        text = _rk_op(req["op"], req.get("code", req.get("name", "")), req.get("payload", ""))
        for s in (sys.stdout, sys.stderr):
            try:
                s.flush()
            except BaseException:
                pass
        wf.write((dumps({"id": req["id"], "text": text}) + "\\n").encode("utf-8"))

_rk_serve()
`;
