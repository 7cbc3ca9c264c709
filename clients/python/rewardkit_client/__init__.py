"""Python client for the rewardkit reward server: standard library only, Python 3.9+.

A package (``pip install ./clients/python``) whose module is one file: it can also be copied next to a
training script, and a trainer's config can point at it (``rewardkit_client.__file__``):

* ``RewardkitClient``: ``POST /v1/score`` (rewardkit's own protocol) and ``POST /get_reward`` (OpenRLHF's),
  against one server or several. With several URLs a batch is split into contiguous shards that are sent
  concurrently and put back together in order (the way OpenRLHF splits a batch over ``--remote_rm_url``).
  Retries 429/502/503/504, connection errors and timeouts with exponential backoff and jitter, honouring
  ``Retry-After``; a retry of a shard goes to the next URL, so one dead replica does not stop training.
  Other 4xx (400, 401, 408, 413, ...) and 5xx answers are never retried: they raise ``RewardkitHTTPError``
  (a 413 sent before the whole body was uploaded too, not mistaken for a dropped connection).
* ``TRLRewardFunc``: a TRL ``GRPOTrainer`` ``reward_funcs`` entry,
  ``(prompts, completions, **kwargs) -> list[float | None]`` (abstain and error as ``None``).
* ``VerlScorer``: verl's ``compute_score(data_source, solution_str, ground_truth, extra_info=None)`` and the
  batch form for verl's ``BatchRewardManager``; each returns ``{"score": x, "rk_ok", "rk_abstain",
  "rk_error"}``.
* ``OpenRLHFRewardFunc``: OpenRLHF's custom ``reward_func(queries, prompts, labels)`` (a ``.py`` given to
  ``--remote_rm_url``), for when the server needs a token, which ``--remote_rm_url http://...`` cannot send.
* Module-level ``compute_score``, ``compute_score_batch`` and ``reward_func`` configured by environment
  variables, so verl's ``custom_reward_function.path`` and OpenRLHF's ``--remote_rm_url`` can name this
  file directly.

Environment: ``REWARDKIT_URL`` (one URL or a comma-separated list), ``REWARDKIT_TOKEN`` (bearer token),
``REWARDKIT_TIMEOUT`` (seconds), ``REWARDKIT_MAX_RETRIES``, and for the verl functions
``REWARDKIT_ABSTAIN_SCORE`` / ``REWARDKIT_ERROR_SCORE`` (default 0).

Objects here hold no locks, threads or sockets between calls, so they pickle (Ray ships reward functions
to workers by pickling them).
"""

import concurrent.futures
import email.utils
import http.client
import json
import math
import os
import random
import re
import socket
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

__version__ = "0.1.0"

__all__ = [
    "RewardkitClient",
    "RewardkitError",
    "RewardkitHTTPError",
    "RewardkitConnectionError",
    "TRLRewardFunc",
    "VerlScorer",
    "OpenRLHFRewardFunc",
    "compute_score",
    "compute_score_batch",
    "reward_func",
    "reward_of",
    "RETRY_STATUSES",
]

#: HTTP statuses that are retried: the server is busy (429), restarting (503) or behind a proxy that lost it.
RETRY_STATUSES = frozenset({429, 502, 503, 504})

Number = Union[int, float]
UrlArg = Union[str, Sequence[str], None]


# ---------------------------------------------------------------------------------------------- errors


class RewardkitError(Exception):
    """Anything that kept a batch from being scored (never raised for a sample that scored as an error)."""


class RewardkitHTTPError(RewardkitError):
    """The server (or a proxy before it) answered with an error status."""

    def __init__(
        self,
        status: int,
        kind: str,
        message: str,
        url: str,
        attempts: int = 1,
        retry_after: Optional[float] = None,
        body: Any = None,
    ) -> None:
        self.status = status
        self.kind = kind
        self.message = message
        self.url = url
        self.attempts = attempts
        self.retry_after = retry_after
        self.body = body
        tries = "" if attempts == 1 else " after {} attempts".format(attempts)
        super().__init__("{} {} from {}{}: {}".format(status, kind, url, tries, message))

    def __reduce__(self):  # keep the fields when the error crosses a process boundary (Ray)
        return (
            RewardkitHTTPError,
            (self.status, self.kind, self.message, self.url, self.attempts, self.retry_after, self.body),
        )


class RewardkitConnectionError(RewardkitError):
    """No answer: the connection failed or timed out on every attempt."""

    def __init__(self, url: str, reason: str, attempts: int = 1) -> None:
        self.url = url
        self.reason = reason
        self.attempts = attempts
        super().__init__("no answer from {} after {} attempt(s): {}".format(url, attempts, reason))

    def __reduce__(self):
        return (RewardkitConnectionError, (self.url, self.reason, self.attempts))


class _Retryable(Exception):
    """One failed attempt that may be retried."""

    def __init__(self, error: RewardkitError, retry_after: Optional[float] = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


# ------------------------------------------------------------------------------------------ JSON helpers


class _NotJSON(TypeError):
    pass


def _jsonable(x: Any, where: str = "value") -> Any:
    """A JSON-ready copy of x: numpy scalars and arrays become Python values, tuples lists, non-finite
    floats None (the server's JSON parser rejects NaN). Raises _NotJSON for anything else."""
    if x is None or isinstance(x, bool):
        return x
    if isinstance(x, str):
        return str(x)  # numpy.str_ too
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        return float(x) if math.isfinite(x) else None
    if isinstance(x, Mapping):
        out = {}
        for k, v in x.items():
            if not isinstance(k, str):
                if isinstance(k, (int, float, bool)) or k is None:
                    k = json.dumps(k)
                else:
                    raise _NotJSON("{} has a key of type {}".format(where, type(k).__name__))
            out[k] = _jsonable(v, "{}.{}".format(where, k))
        return out
    if isinstance(x, (list, tuple)):
        return [_jsonable(v, "{}[{}]".format(where, i)) for i, v in enumerate(x)]
    # numpy (and torch) without importing them: arrays have tolist(), scalars item().
    tolist = getattr(x, "tolist", None)
    if callable(tolist) and not isinstance(x, type):
        try:
            v = tolist()
        except Exception as e:  # pragma: no cover - a foreign object with an odd tolist
            raise _NotJSON("{}: {}".format(where, e))
        if v is not x:
            return _jsonable(v, where)
    item = getattr(x, "item", None)
    if callable(item) and not isinstance(x, type):
        try:
            v = item()
        except Exception as e:
            raise _NotJSON("{}: {}".format(where, e))
        if v is not x:
            return _jsonable(v, where)
    raise _NotJSON("{} is a {}, which is not JSON".format(where, type(x).__name__))


def _as_list(x: Any, name: str) -> list:
    """Lists, tuples, numpy arrays (of objects) or anything iterable with a length, as a list."""
    if x is None:
        raise TypeError("'{}' is required".format(name))
    if isinstance(x, (str, bytes, Mapping)):
        raise TypeError("'{}' must be a list, not a {}".format(name, type(x).__name__))
    try:
        return list(x)
    except TypeError:
        raise TypeError("'{}' must be a list, not a {}".format(name, type(x).__name__))


def reward_of(result: Mapping[str, Any], abstain: Optional[Number] = None, error: Optional[Number] = None):
    """The reward of a result: its number when ok, else ``abstain`` / ``error`` (default None)."""
    status = result.get("status")
    if status == "ok":
        return result.get("reward")
    return abstain if status == "abstain" else error


def _urls(url: UrlArg) -> List[str]:
    if url is None:
        url = os.environ.get("REWARDKIT_URL", "")
        if not url.strip():
            raise ValueError("no rewardkit URL: pass url=... or set REWARDKIT_URL")
    if isinstance(url, str):
        parts = [u.strip() for u in url.split(",")]
    else:
        parts = [str(u).strip() for u in url]
    parts = [u.rstrip("/") for u in parts if u]
    if not parts:
        raise ValueError("no rewardkit URL given")
    for u in parts:
        if not re.match(r"^https?://", u):
            raise ValueError("not an http(s) URL: {!r}".format(u))
    return parts


def _split_base(url: str) -> str:
    """A base URL; a full endpoint URL (as OpenRLHF users write them) is cut back to its base."""
    for suffix in ("/v1/score", "/get_reward", "/health"):
        if url.endswith(suffix):
            return url[: -len(suffix)]
    return url


def _parse_retry_after(value: Optional[str]) -> Optional[float]:
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


# ---------------------------------------------------------------------------------------------- client


class RewardkitClient:
    """A client for one rewardkit server or several replicas.

    Args:
        url: a base URL (``http://127.0.0.1:8000``), a comma-separated string of them or a list; default
            ``REWARDKIT_URL``. Endpoint URLs such as ``.../get_reward`` are accepted and cut to their base.
        token: bearer token sent as ``Authorization: Bearer <token>``; default ``REWARDKIT_TOKEN`` (unset or
            empty: no header).
        timeout: seconds allowed for connecting and for each read of the answer (urllib's semantics), so it
            must cover the scoring of a whole shard. Default ``REWARDKIT_TIMEOUT`` or 300.
        max_retries: retries after the first attempt of a request (default ``REWARDKIT_MAX_RETRIES`` or 6).
        backoff, max_backoff: the n-th retry waits ``min(max_backoff, backoff * 2**n)`` seconds, of which
            the upper half is random (jitter). A ``Retry-After`` header is honoured instead (waited in full,
            up to ``max_retry_after``).
        max_batch: most samples in one request; a larger batch is split into more shards than URLs, which
            are spread over the URLs round-robin. Default: one shard per URL.
        max_workers: shards in flight at once (default: all of them, at most 64).
        retry_on_timeout: also retry a request whose answer did not come within ``timeout`` (default True).
        trust_env: use the ``http_proxy`` / ``no_proxy`` environment variables like ``requests`` does
            (default True). Set False to always connect directly.
        on_retry: called before each retry with a dict ``{"url", "attempt", "status", "error", "delay"}``.
        headers: extra headers for every request.
    """

    def __init__(
        self,
        url: UrlArg = None,
        *,
        token: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_retry_after: float = 300.0,
        max_batch: Optional[int] = None,
        max_workers: Optional[int] = None,
        retry_on_timeout: bool = True,
        trust_env: bool = True,
        on_retry: Optional[Callable[[Dict[str, Any]], None]] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.urls = [_split_base(u) for u in _urls(url)]
        if token is None:
            token = os.environ.get("REWARDKIT_TOKEN") or None
        self.token = token or None
        if timeout is None:
            timeout = float(os.environ.get("REWARDKIT_TIMEOUT") or 300.0)
        if max_retries is None:
            max_retries = int(os.environ.get("REWARDKIT_MAX_RETRIES") or 6)
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if max_batch is not None and max_batch < 1:
            raise ValueError("max_batch must be >= 1")
        self.timeout = float(timeout)
        self.max_retries = int(max_retries)
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.max_retry_after = float(max_retry_after)
        self.max_batch = max_batch
        self.max_workers = max_workers
        self.retry_on_timeout = retry_on_timeout
        self.trust_env = trust_env
        self.on_retry = on_retry
        self.headers = dict(headers or {})
        self._sleep = time.sleep  # replaceable in tests

    def __repr__(self) -> str:
        return "RewardkitClient({!r}, token={})".format(self.urls, "set" if self.token else "none")

    # ------------------------------------------------------------------ public API

    def score(self, samples: Sequence[Mapping[str, Any]], **options: Any) -> List[Dict[str, Any]]:
        """Scores samples with ``POST /v1/score``; returns one result dict per sample, in order.

        A sample is ``{"completion": str | [chat messages], "prompt"?, "reference"?, ...metadata}``.
        ``options`` go into the request body beside ``samples`` (``group={"by": "prompt_id"}``,
        ``placement=...``). With ``group``, a group is never split between shards.
        """
        return self.score_response(samples, **options)["results"]

    def score_response(self, samples: Sequence[Mapping[str, Any]], **options: Any) -> Dict[str, Any]:
        """Like ``score`` but returns the whole answer: ``{"results": [...], "groups"?: [...]}``, the
        ``groups`` summaries of all shards concatenated."""
        samples = _as_list(samples, "samples")
        body_opts = {k: _jsonable(v, k) for k, v in options.items() if v is not None}
        payload = [self._sample_json(s, i) for i, s in enumerate(samples)]
        if not payload:
            return {"results": []}
        shards = self._shards(len(payload), payload, body_opts.get("group"))

        def run(shard_no: int, idx: List[int]) -> Dict[str, Any]:
            body = dict(body_opts)
            body["samples"] = [payload[i] for i in idx]
            answer = self._post("/v1/score", body, shard_no)
            results = answer.get("results") if isinstance(answer, dict) else None
            if not isinstance(results, list) or len(results) != len(idx):
                raise RewardkitError(
                    "/v1/score answered {} results for {} samples".format(
                        len(results) if isinstance(results, list) else "no", len(idx)
                    )
                )
            return answer

        answers = self._run_shards(run, shards)
        results: List[Any] = [None] * len(payload)
        groups: List[Any] = []
        has_groups = False
        for idx, answer in zip(shards, answers):
            for i, r in zip(idx, answer["results"]):
                results[i] = r
            if "groups" in answer:
                has_groups = True
                groups.extend(answer["groups"] or [])
        out: Dict[str, Any] = {"results": results}
        if has_groups:
            out["groups"] = groups
        return out

    def rewards(
        self,
        samples: Sequence[Mapping[str, Any]],
        abstain: Optional[Number] = None,
        error: Optional[Number] = None,
        **options: Any,
    ) -> List[Optional[float]]:
        """The reward of each sample: a number when ok, ``abstain`` / ``error`` (default None) otherwise."""
        return [reward_of(r, abstain, error) for r in self.score(samples, **options)]

    def get_reward(
        self,
        queries: Sequence[str],
        prompts: Optional[Sequence[str]] = None,
        labels: Optional[Sequence[Any]] = None,
    ) -> Dict[str, Any]:
        """OpenRLHF's protocol, ``POST /get_reward``: ``query[i]`` is the prompt followed by the response.
        Returns ``{"rewards": [...], "scores": [...], "extra_logs": {key: [...]}}`` for the whole batch; a
        log key that one shard lacks is filled with NaN for that shard's samples."""
        queries = [_jsonable(q, "queries[{}]".format(i)) for i, q in enumerate(_as_list(queries, "queries"))]
        n = len(queries)
        plist = None if prompts is None else _jsonable(_as_list(prompts, "prompts"), "prompts")
        llist = None if labels is None else _jsonable(_as_list(labels, "labels"), "labels")
        for name, arr in (("prompts", plist), ("labels", llist)):
            if arr is not None and len(arr) != n:
                raise ValueError("'{}' has {} items but 'queries' has {}".format(name, len(arr), n))
        if n == 0:
            return {"rewards": [], "scores": [], "extra_logs": {}}
        shards = self._shards(n, None, None)

        def run(shard_no: int, idx: List[int]) -> Dict[str, Any]:
            body: Dict[str, Any] = {"query": [queries[i] for i in idx]}
            if plist is not None:
                body["prompts"] = [plist[i] for i in idx]
            if llist is not None:
                body["labels"] = [llist[i] for i in idx]
            answer = self._post("/get_reward", body, shard_no)
            rewards = answer.get("rewards") if isinstance(answer, dict) else None
            if not isinstance(rewards, list) or len(rewards) != len(idx):
                raise RewardkitError("/get_reward answered a wrong number of rewards for {} queries".format(len(idx)))
            return answer

        answers = self._run_shards(run, shards)
        rewards: List[Any] = [None] * n
        scores: List[Any] = [None] * n
        keys: List[str] = []
        for a in answers:
            for k in (a.get("extra_logs") or {}):
                if k not in keys:
                    keys.append(k)
        logs: Dict[str, List[Any]] = {k: [math.nan] * n for k in keys}
        for idx, a in zip(shards, answers):
            shard_scores = a.get("scores", a["rewards"])
            extra = a.get("extra_logs") or {}
            for j, i in enumerate(idx):
                rewards[i] = a["rewards"][j]
                scores[i] = shard_scores[j]
                for k, vals in extra.items():
                    logs[k][i] = vals[j]
        return {"rewards": rewards, "scores": scores, "extra_logs": logs}

    def health(self, url: Optional[str] = None) -> Dict[str, Any]:
        """``GET /health`` of one server (default the first URL), with the usual retries."""
        base = _split_base(url.rstrip("/")) if url else self.urls[0]
        return self._with_retries(lambda attempt: base, "GET", "/health", None)

    def wait_ready(self, timeout: float = 60.0, interval: float = 0.5) -> None:
        """Waits until every URL answers ``GET /health``; raises RewardkitConnectionError past ``timeout``."""
        deadline = time.monotonic() + timeout
        for base in self.urls:
            while True:
                try:
                    self._once("GET", base + "/health", None)
                    break
                except _Retryable as e:
                    if time.monotonic() >= deadline:
                        raise RewardkitConnectionError(base, str(e.error))
                    self._sleep(interval)

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _sample_json(s: Any, i: int) -> Any:
        if not isinstance(s, Mapping):
            raise TypeError("samples[{}] must be a dict, not a {}".format(i, type(s).__name__))
        try:
            return _jsonable(s, "samples[{}]".format(i))
        except _NotJSON as e:
            raise TypeError(str(e))

    def _shards(self, n: int, payload: Optional[list], group: Any) -> List[List[int]]:
        """Index lists: contiguous and balanced, one per URL (or more with max_batch); groups kept whole."""
        k = len(self.urls)
        if self.max_batch:
            k = max(k, -(-n // self.max_batch))
        k = max(1, min(k, n))
        if group is not None and payload is not None:
            return self._group_shards(payload, group, k)
        base, extra = divmod(n, k)
        out, start = [], 0
        for s in range(k):
            size = base + (1 if s < extra else 0)
            out.append(list(range(start, start + size)))
            start += size
        return out

    def _group_shards(self, payload: list, group: Mapping[str, Any], k: int) -> List[List[int]]:
        by = group.get("by") if isinstance(group, Mapping) else None
        if k == 1 or not isinstance(by, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", by):
            # A template (or no field): the client cannot tell the groups apart, so the batch goes whole.
            return [list(range(len(payload)))]
        members: Dict[str, List[int]] = {}
        order: List[str] = []
        for i, s in enumerate(payload):
            v = s.get(by)
            if v is None and isinstance(s.get("metadata"), dict):
                v = s["metadata"].get(by)
            key = json.dumps(v, sort_keys=True)
            if key not in members:
                members[key] = []
                order.append(key)
            members[key].append(i)
        target = -(-len(payload) // k)
        shards: List[List[int]] = [[]]
        for key in order:
            if shards[-1] and len(shards[-1]) + len(members[key]) > target and len(shards) < k:
                shards.append([])
            shards[-1].extend(members[key])
        return shards

    def _run_shards(self, run: Callable[[int, List[int]], Any], shards: List[List[int]]) -> List[Any]:
        if len(shards) == 1:
            return [run(0, shards[0])]
        workers = min(len(shards), self.max_workers or 64)
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(run, s, idx) for s, idx in enumerate(shards)]
            try:
                return [f.result() for f in futures]
            except BaseException:
                for f in futures:
                    f.cancel()
                raise

    def _post(self, path: str, body: Any, shard_no: int) -> Any:
        data = json.dumps(body, allow_nan=False, separators=(",", ":")).encode("utf-8")
        urls = self.urls
        return self._with_retries(lambda attempt: urls[(shard_no + attempt) % len(urls)], "POST", path, data)

    def _with_retries(self, url_for: Callable[[int], str], method: str, path: str, data: Optional[bytes]) -> Any:
        attempt = 0
        while True:
            url = url_for(attempt) + path
            try:
                return self._once(method, url, data)
            except _Retryable as e:
                err = e.error
                if attempt >= self.max_retries:
                    if isinstance(err, RewardkitHTTPError):
                        raise RewardkitHTTPError(
                            err.status, err.kind, err.message, err.url, attempt + 1, err.retry_after, err.body
                        ) from None
                    raise RewardkitConnectionError(err.url, err.reason, attempt + 1) from None
                delay = self._delay(attempt, e.retry_after)
                if self.on_retry is not None:
                    self.on_retry(
                        {
                            "url": url,
                            "attempt": attempt + 1,
                            "status": getattr(err, "status", None),
                            "error": str(err),
                            "delay": delay,
                        }
                    )
                self._sleep(delay)
                attempt += 1

    def _delay(self, attempt: int, retry_after: Optional[float]) -> float:
        if retry_after is not None:
            # Honour the server: wait at least what it asked, plus a little jitter so clients spread out.
            return min(retry_after, self.max_retry_after) + random.uniform(0, min(self.backoff, 1.0))
        cap = min(self.max_backoff, self.backoff * (2**attempt))
        return cap / 2 + random.uniform(0, cap / 2)

    def _opener(self) -> urllib.request.OpenerDirector:
        handlers: List[Any] = [_HTTPHandler(), _HTTPSHandler()]
        if not self.trust_env:
            handlers.append(urllib.request.ProxyHandler({}))
        return urllib.request.build_opener(*handlers)

    def _once(self, method: str, url: str, data: Optional[bytes]) -> Any:
        headers = {"Accept": "application/json", "User-Agent": "rewardkit-python/" + __version__}
        headers.update(self.headers)
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self._opener().open(req, timeout=self.timeout) as resp:
                raw = resp.read()
                status = resp.status
        except urllib.error.HTTPError as e:
            raw = b""
            try:
                raw = e.read()
            except Exception:
                pass
            retry_after = _parse_retry_after(e.headers.get("Retry-After") if e.headers else None)
            err = self._http_error(e.code, raw, url, retry_after)
            if e.code in RETRY_STATUSES:
                raise _Retryable(err, retry_after)
            raise err from None
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, (socket.timeout, TimeoutError)) and not self.retry_on_timeout:
                raise RewardkitConnectionError(url, "timed out after {}s".format(self.timeout)) from None
            raise _Retryable(RewardkitConnectionError(url, str(reason)))
        except (socket.timeout, TimeoutError) as e:
            if not self.retry_on_timeout:
                raise RewardkitConnectionError(url, "timed out after {}s: {}".format(self.timeout, e)) from None
            raise _Retryable(RewardkitConnectionError(url, "timed out after {}s".format(self.timeout)))
        except (OSError, http.client.HTTPException) as e:
            # Refused or reset connections, RemoteDisconnected, IncompleteRead: the answer never came whole.
            raise _Retryable(RewardkitConnectionError(url, "{}: {}".format(type(e).__name__, e)))
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise RewardkitError(
                "{} answered {} with a body that is not JSON: {!r}".format(url, status, raw[:200])
            ) from None

    @staticmethod
    def _http_error(status: int, raw: bytes, url: str, retry_after: Optional[float]) -> RewardkitHTTPError:
        body: Any = None
        kind, message = "http_{}".format(status), ""
        try:
            body = json.loads(raw.decode("utf-8"))
            e = body.get("error") if isinstance(body, dict) else None
            if isinstance(e, dict):
                kind = str(e.get("kind") or kind)
                message = str(e.get("message") or "")
            elif isinstance(e, str):
                message = e
        except (UnicodeDecodeError, ValueError):
            message = raw[:300].decode("utf-8", "replace").strip()
        return RewardkitHTTPError(status, kind, message or "(no message)", url, 1, retry_after, body)


class _AnswerEarly:
    """A server refusing a body (413) answers before reading all of it and closes the connection: the
    rest of the upload then fails. Stop sending and read that answer, so that a 413 is a 413 (not a
    dropped connection, retried). When no answer came, reading it fails and the attempt is retried."""

    def send(self, data: Any) -> None:
        try:
            super().send(data)  # type: ignore[misc]
        except (BrokenPipeError, ConnectionResetError):
            pass


class _HTTPConnection(_AnswerEarly, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_AnswerEarly, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_HTTPSConnection, req, context=self._context)


def _client(client: Union[RewardkitClient, UrlArg], client_kwargs: Mapping[str, Any]) -> RewardkitClient:
    if isinstance(client, RewardkitClient):
        if client_kwargs:
            raise TypeError("client options given with a ready client: " + ", ".join(sorted(client_kwargs)))
        return client
    return RewardkitClient(client, **client_kwargs)


# ------------------------------------------------------------------------------------------------ TRL

#: Keyword arguments TRL passes to reward functions that are not dataset columns.
TRL_NON_COLUMNS = frozenset({"completion_ids", "trainer_state"})


class TRLRewardFunc:
    """A reward function for TRL's ``GRPOTrainer(reward_funcs=[...])`` (also RLOO/Online DPO style
    trainers that call ``f(prompts=..., completions=..., **columns)``).

    TRL calls it with ``prompts`` and ``completions`` (strings, or lists of chat messages in conversational
    mode) and every other dataset column as a keyword list aligned with the completions, plus
    ``completion_ids`` and (newer TRL) ``trainer_state``. Returns one float per completion, ``None`` when
    the result abstained or is an error (TRL turns None into NaN and leaves it out of the sum).

    Args:
        client: a RewardkitClient, or URL(s) for a new one (``client_kwargs`` are its options).
        reference_column: the column sent as ``reference`` (default ``"reference"``; e.g. ``"solution"`` for
            open-r1 style data, ``"answer"`` for GSM8K). ``None``: send no reference. A named column that
            is not in the batch raises ValueError naming the columns there are.
        metadata_columns: the columns sent as sample metadata (``{{metadata.x}}`` / ``{{x}}`` in specs).
            ``None`` (default): every column that is JSON (images and other objects are left out); a list:
            exactly those (a column that is not JSON then raises TypeError).
        send_prompt: send the prompt as ``prompt`` (default True).
        name: the ``__name__`` TRL logs the reward under (``rewards/<name>/mean``). Default ``"rewardkit"``.
        abstain_value, error_value: what to return for abstain / error results (default None).
    """

    def __init__(
        self,
        client: Union[RewardkitClient, UrlArg] = None,
        *,
        reference_column: Optional[str] = "reference",
        metadata_columns: Optional[Sequence[str]] = None,
        send_prompt: bool = True,
        name: str = "rewardkit",
        abstain_value: Optional[Number] = None,
        error_value: Optional[Number] = None,
        **client_kwargs: Any,
    ) -> None:
        self.client = _client(client, client_kwargs)
        self.reference_column = reference_column
        self.metadata_columns = None if metadata_columns is None else list(metadata_columns)
        self.send_prompt = send_prompt
        self.__name__ = name
        self.__qualname__ = name
        self.abstain_value = abstain_value
        self.error_value = error_value
        self.last_results: List[Dict[str, Any]] = []

    def __repr__(self) -> str:
        return "TRLRewardFunc({!r}, reference_column={!r})".format(self.__name__, self.reference_column)

    def samples(self, prompts: Any, completions: Any, **kwargs: Any) -> List[Dict[str, Any]]:
        """The samples this function would send for one TRL call (for checking a mapping)."""
        completions = _as_list(completions, "completions")
        n = len(completions)
        prompts = [None] * n if prompts is None else _as_list(prompts, "prompts")
        if len(prompts) != n:
            raise ValueError("{} prompts for {} completions".format(len(prompts), n))
        columns = {k: v for k, v in kwargs.items() if k not in TRL_NON_COLUMNS}
        if self.reference_column is not None and self.reference_column not in columns:
            raise ValueError(
                "reference column {!r} is not in the batch; columns: {}. Pass reference_column=<one of "
                "them>, or None for specs without a reference".format(self.reference_column, sorted(columns))
            )
        lists: Dict[str, list] = {}
        for k, v in columns.items():
            if v is None:
                continue
            try:
                vals = _as_list(v, k)
            except TypeError:
                continue  # not a column (a scalar keyword a newer TRL may add)
            if len(vals) != n:
                if k == self.reference_column or (self.metadata_columns and k in self.metadata_columns):
                    raise ValueError("column {!r} has {} values for {} completions".format(k, len(vals), n))
                continue
            lists[k] = vals
        if self.metadata_columns is None:
            meta_cols = [k for k in lists if k != self.reference_column]
            strict = False
        else:
            missing = [k for k in self.metadata_columns if k not in lists]
            if missing:
                raise ValueError("metadata columns not in the batch: {}; columns: {}".format(missing, sorted(columns)))
            meta_cols = [k for k in self.metadata_columns if k != self.reference_column]
            strict = True
        # A column that is not JSON in any row is left out whole (unless asked for by name).
        usable: Dict[str, list] = {}
        for k in meta_cols:
            try:
                usable[k] = [_jsonable(v, k) for v in lists[k]]
            except _NotJSON as e:
                if strict:
                    raise TypeError("metadata column {!r}: {}".format(k, e))
        refs = None
        if self.reference_column is not None and self.reference_column in lists:
            try:
                refs = [_jsonable(v, self.reference_column) for v in lists[self.reference_column]]
            except _NotJSON as e:
                raise TypeError("reference column: {}".format(e))
        out = []
        for i in range(n):
            s: Dict[str, Any] = {k: usable[k][i] for k in usable if k not in ("completion", "prompt", "reference")}
            if self.send_prompt and prompts[i] is not None:
                s["prompt"] = prompts[i]
            s["completion"] = completions[i]
            if refs is not None and refs[i] is not None:
                s["reference"] = refs[i]
            out.append(s)
        return out

    def __call__(self, prompts: Any = None, completions: Any = None, **kwargs: Any) -> List[Optional[float]]:
        samples = self.samples(prompts, completions, **kwargs)
        results = self.client.score(samples)
        self.last_results = results
        return [reward_of(r, self.abstain_value, self.error_value) for r in results]


# ----------------------------------------------------------------------------------------------- verl


class VerlScorer:
    """verl's ``custom_reward_function``: ``compute_score`` for the naive / prime / dapo reward managers and
    ``compute_score_batch`` for ``reward_model.reward_manager=batch``.

    The sample sent is ``{"completion": solution_str, "reference": ground_truth, "data_source": ...,
    "metadata": extra_info}``; a spec reads ``extra_info`` fields as ``{{metadata.x}}`` or ``{{x}}``.
    Each call returns ``{"score": float, "rk_ok": 0|1, "rk_abstain": 0|1, "rk_error": 0|1}``: the same
    numeric keys for every sample (verl collects them into ``reward_extra_info`` lists and averages them
    in validation metrics). Abstain and error results score ``abstain_score`` / ``error_score``.
    """

    def __init__(
        self,
        client: Union[RewardkitClient, UrlArg] = None,
        *,
        abstain_score: Number = 0.0,
        error_score: Number = 0.0,
        **client_kwargs: Any,
    ) -> None:
        self.client = _client(client, client_kwargs)
        self.abstain_score = float(abstain_score)
        self.error_score = float(error_score)

    def __repr__(self) -> str:
        return "VerlScorer({!r})".format(self.client.urls)

    @staticmethod
    def sample(data_source: Any, solution_str: Any, ground_truth: Any, extra_info: Any = None) -> Dict[str, Any]:
        s: Dict[str, Any] = {"completion": _jsonable(solution_str, "solution_str")}
        if data_source is not None:
            s["data_source"] = _jsonable(data_source, "data_source")
        gt = _jsonable(ground_truth, "ground_truth")
        if gt is not None:
            s["reference"] = gt
        if extra_info is not None:
            meta = _jsonable(extra_info, "extra_info")
            if isinstance(meta, dict):
                s["metadata"] = meta
        return s

    def to_dict(self, result: Mapping[str, Any]) -> Dict[str, Any]:
        status = result.get("status")
        score = reward_of(result, self.abstain_score, self.error_score)
        return {
            "score": float(score),
            "rk_ok": int(status == "ok"),
            "rk_abstain": int(status == "abstain"),
            "rk_error": int(status == "error"),
        }

    def compute_score(
        self, data_source: Any, solution_str: Any, ground_truth: Any, extra_info: Any = None, **kwargs: Any
    ) -> Dict[str, Any]:
        """verl's per-sample signature (keyword-called by NaiveRewardManager). Extra keywords
        (``custom_reward_function.reward_kwargs``) are accepted and ignored."""
        [r] = self.client.score([self.sample(data_source, solution_str, ground_truth, extra_info)])
        return self.to_dict(r)

    __call__ = compute_score

    def compute_score_batch(
        self,
        data_sources: Any,
        solution_strs: Any,
        ground_truths: Any,
        extra_infos: Any = None,
        **kwargs: Any,
    ) -> List[Dict[str, Any]]:
        """verl's BatchRewardManager signature: aligned lists (or numpy object arrays)."""
        sols = _as_list(solution_strs, "solution_strs")
        n = len(sols)
        srcs = [None] * n if data_sources is None else _as_list(data_sources, "data_sources")
        gts = [None] * n if ground_truths is None else _as_list(ground_truths, "ground_truths")
        extras = [None] * n if extra_infos is None else _as_list(extra_infos, "extra_infos")
        for name, arr in (("data_sources", srcs), ("ground_truths", gts), ("extra_infos", extras)):
            if len(arr) != n:
                raise ValueError("'{}' has {} items but 'solution_strs' has {}".format(name, len(arr), n))
        samples = [self.sample(srcs[i], sols[i], gts[i], extras[i]) for i in range(n)]
        return [self.to_dict(r) for r in self.client.score(samples)]


# -------------------------------------------------------------------------------------------- OpenRLHF


class OpenRLHFRewardFunc:
    """OpenRLHF's custom reward function, ``reward_func(queries, prompts, labels)``: the queries go to the
    servers' ``/get_reward`` (sharded over the client's URLs, with its token and retries).

    Returns ``{"rewards", "scores", "extra_logs"}`` like OpenRLHF's example ``reward_func.py``: float32
    torch tensors when torch is importable (``tensors="auto"``, the default), else lists.
    """

    def __init__(self, client: Union[RewardkitClient, UrlArg] = None, *, tensors: Any = "auto", **client_kwargs: Any):
        self.client = _client(client, client_kwargs)
        if tensors not in ("auto", True, False):
            raise ValueError("tensors must be 'auto', True or False")
        self.tensors = tensors

    def __repr__(self) -> str:
        return "OpenRLHFRewardFunc({!r})".format(self.client.urls)

    def __call__(self, queries: Any, prompts: Any = None, labels: Any = None, **kwargs: Any) -> Dict[str, Any]:
        out = self.client.get_reward(queries, prompts, labels)
        if self.tensors is False:
            return out
        try:
            import torch  # type: ignore
        except ImportError:
            if self.tensors is True:
                raise
            return out

        def t(v: List[Any]) -> Any:
            return torch.tensor([math.nan if x is None else float(x) for x in v], dtype=torch.float32)

        return {
            "rewards": t(out["rewards"]),
            "scores": t(out["scores"]),
            "extra_logs": {k: t(v) for k, v in out["extra_logs"].items()},
        }


# --------------------------------------------------------------- module-level functions, configured by env

_CLIENTS: Dict[Tuple[Any, ...], RewardkitClient] = {}


def _env_client(url: UrlArg = None, timeout: Optional[float] = None) -> RewardkitClient:
    key = (
        url if url is None or isinstance(url, str) else tuple(url),
        timeout,
        os.environ.get("REWARDKIT_URL"),
        os.environ.get("REWARDKIT_TOKEN"),
        os.environ.get("REWARDKIT_TIMEOUT"),
        os.environ.get("REWARDKIT_MAX_RETRIES"),
    )
    c = _CLIENTS.get(key)
    if c is None:
        c = _CLIENTS[key] = RewardkitClient(url, timeout=timeout)
    return c


def _env_number(name: str, default: float) -> float:
    v = os.environ.get(name)
    return float(v) if v not in (None, "") else default


def _env_scorer(url: UrlArg, abstain_score: Optional[Number], error_score: Optional[Number], timeout: Optional[float]):
    return VerlScorer(
        _env_client(url, timeout),
        abstain_score=_env_number("REWARDKIT_ABSTAIN_SCORE", 0.0) if abstain_score is None else abstain_score,
        error_score=_env_number("REWARDKIT_ERROR_SCORE", 0.0) if error_score is None else error_score,
    )


def compute_score(
    data_source: Any,
    solution_str: Any,
    ground_truth: Any,
    extra_info: Any = None,
    url: UrlArg = None,
    abstain_score: Optional[Number] = None,
    error_score: Optional[Number] = None,
    timeout: Optional[float] = None,
    **kwargs: Any,
) -> Dict[str, Any]:
    """verl ``custom_reward_function.name=compute_score``: the server from ``url`` (settable through
    ``custom_reward_function.reward_kwargs``) or ``REWARDKIT_URL``."""
    return _env_scorer(url, abstain_score, error_score, timeout).compute_score(
        data_source, solution_str, ground_truth, extra_info
    )


def compute_score_batch(
    data_sources: Any,
    solution_strs: Any,
    ground_truths: Any,
    extra_infos: Any = None,
    url: UrlArg = None,
    abstain_score: Optional[Number] = None,
    error_score: Optional[Number] = None,
    timeout: Optional[float] = None,
    **kwargs: Any,
) -> List[Dict[str, Any]]:
    """verl ``reward_model.reward_manager=batch`` with ``custom_reward_function.name=compute_score_batch``."""
    return _env_scorer(url, abstain_score, error_score, timeout).compute_score_batch(
        data_sources, solution_strs, ground_truths, extra_infos
    )


def reward_func(queries: Any, prompts: Any = None, labels: Any = None, **kwargs: Any) -> Dict[str, Any]:
    """OpenRLHF ``--remote_rm_url /path/to/rewardkit_client.py``: scores through ``REWARDKIT_URL``."""
    return OpenRLHFRewardFunc(_env_client())(queries, prompts, labels)
