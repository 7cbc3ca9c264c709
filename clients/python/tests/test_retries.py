"""Retries, backoff, Retry-After and failover.

The faults (429, 502, 503, 504, dropped connections, slow answers, 413) come from a tiny Python
http.server stand-in (rk_support.StandIn), because the real server cannot be made to produce them on
demand; once its script of faults is used up the stand-in forwards the request to a real rewardkit server,
so every successful answer here is the real server's. Connection-refused cases use a port where nothing
listens.
"""

import json
import os
import shutil
import tempfile
import time
import unittest

import rk_support as S
from rk_support import StandIn, answer, replica_of

import rewardkit_client as rk

SAMPLES = [{"completion": answer(7), "reference": "7"}, {"completion": answer(8), "reference": "7"}]


def client(urls, **kw):
    retries = []
    kw.setdefault("backoff", 0.01)
    kw.setdefault("max_backoff", 0.05)
    c = rk.RewardkitClient(urls, on_retry=retries.append, **kw)
    return c, retries


class RetriedStatuses(unittest.TestCase):
    def assert_real_answer(self, results):
        self.assertEqual([r["status"] for r in results], ["ok", "ok"])
        self.assertAlmostEqual(results[0]["reward"], 1.0)
        self.assertAlmostEqual(results[1]["reward"], 0.2)
        self.assertEqual({replica_of(r) for r in results}, {"replica_a"})

    def test_429_honours_retry_after(self):
        with StandIn([{"status": 429, "headers": {"Retry-After": "1"}, "body": {"error": {"kind": "busy", "message": "queue full"}}}],
                     upstream=S.url("a")) as s:
            c, retries = client(s.url)
            slept = []
            c._sleep = lambda d: (slept.append(d), time.sleep(d))
            results = c.score(SAMPLES)
            self.assert_real_answer(results)
            self.assertEqual(len(s.requests), 2)
            self.assertEqual(s.bodies()[0], s.bodies()[1])  # the same request, sent again
            [r] = retries
            self.assertEqual(r["status"], 429)
            self.assertIn("queue full", r["error"])
            # Retry-After: 1 was waited in full (the client's own backoff here is 0.01-0.05 s).
            self.assertGreaterEqual(r["delay"], 1.0)
            self.assertEqual(slept, [r["delay"]])

    def test_503_honours_retry_after(self):
        with StandIn([{"status": 503, "headers": {"Retry-After": "1"},
                       "body": {"error": {"kind": "shutting_down", "message": "the server is shutting down"}}}],
                     upstream=S.url("a")) as s:
            c, retries = client(s.url)
            self.assert_real_answer(c.score(SAMPLES))
            [r] = retries
            self.assertEqual(r["status"], 503)
            self.assertGreaterEqual(r["delay"], 1.0)

    def test_502_503_504_then_success_with_growing_jittered_backoff(self):
        script = [{"status": 503}, {"status": 503}, {"status": 502, "body": "<html>502 Bad Gateway</html>"}, {"status": 504}]
        with StandIn(script, upstream=S.url("a")) as s:
            c, retries = client(s.url, backoff=0.004, max_backoff=1.0)
            self.assert_real_answer(c.score(SAMPLES))
            self.assertEqual(len(s.requests), 5)
            self.assertEqual([r["status"] for r in retries], [503, 503, 502, 504])
            self.assertEqual([r["attempt"] for r in retries], [1, 2, 3, 4])
            for n, r in enumerate(retries):
                cap = 0.004 * 2**n  # equal jitter: between half the cap and the cap
                self.assertGreaterEqual(r["delay"], cap / 2)
                self.assertLessEqual(r["delay"], cap)
            self.assertIn("502 Bad Gateway", retries[2]["error"])  # a proxy's HTML page is kept as the message

    def test_backoff_is_capped(self):
        c = rk.RewardkitClient(S.dead_url(), backoff=1.0, max_backoff=2.0)
        for attempt in range(10):
            self.assertLessEqual(c._delay(attempt, None), 2.0)
            self.assertGreaterEqual(c._delay(attempt, None), min(2.0, 2**attempt) / 2)
        # Retry-After is honoured up to max_retry_after.
        c = rk.RewardkitClient(S.dead_url(), backoff=0.1, max_retry_after=5)
        self.assertGreaterEqual(c._delay(0, 3.0), 3.0)
        self.assertLessEqual(c._delay(0, 3600.0), 5.1)

    def test_retries_run_out(self):
        with StandIn([{"status": 503, "headers": {"Retry-After": "0"}}] * 3, upstream=S.url("a")) as s:
            c, retries = client(s.url, max_retries=2)
            with self.assertRaises(rk.RewardkitHTTPError) as cm:
                c.score(SAMPLES)
            self.assertEqual(cm.exception.status, 503)
            self.assertEqual(cm.exception.attempts, 3)
            self.assertEqual(cm.exception.retry_after, 0)
            self.assertEqual(len(s.requests), 3)
            self.assertEqual(len(retries), 2)

    def test_dropped_connection_is_retried(self):
        with StandIn([{"close": True}], upstream=S.url("a")) as s:
            c, retries = client(s.url)
            self.assert_real_answer(c.score(SAMPLES))
            self.assertEqual(len(s.requests), 2)
            self.assertIsNone(retries[0]["status"])

    def test_timeout_is_retried_unless_told_not_to(self):
        with StandIn([{"sleep": 1.5}], upstream=S.url("a")) as s:
            c, retries = client(s.url, timeout=0.3)
            self.assert_real_answer(c.score(SAMPLES))
            self.assertIn("timed out", retries[0]["error"])
        with StandIn([{"sleep": 1.5}], upstream=S.url("a")) as s:
            c, retries = client(s.url, timeout=0.3, retry_on_timeout=False)
            with self.assertRaises(rk.RewardkitConnectionError) as cm:
                c.score(SAMPLES)
            self.assertIn("timed out", str(cm.exception))
            self.assertEqual(retries, [])
            self.assertEqual(len(s.requests), 1)


class NeverRetried(unittest.TestCase):
    def test_4xx_and_500_raise_at_once(self):
        for status, kind in ((400, "invalid_input"), (401, "unauthorized"), (404, "not_found"), (408, "timeout"),
                             (413, "too_large"), (500, "internal")):
            with self.subTest(status=status):
                with StandIn([{"status": status, "body": {"error": {"kind": kind, "message": "no " + kind}}}],
                             upstream=S.url("a")) as s:
                    c, retries = client(s.url)
                    with self.assertRaises(rk.RewardkitHTTPError) as cm:
                        c.score(SAMPLES)
                    e = cm.exception
                    self.assertEqual((e.status, e.kind, e.message, e.attempts), (status, kind, "no " + kind, 1))
                    self.assertEqual(len(s.requests), 1)
                    self.assertEqual(retries, [])

    def test_a_413_sent_before_the_body_was_uploaded_is_not_retried(self):
        """The real server refuses an over-limit body at once and closes the connection mid-upload: the
        client reads that 413 instead of retrying what looks like a dropped connection."""
        path = os.path.join(tempfile.mkdtemp(prefix="rk-pytest-"), "spec.json")
        with open(path, "w") as f:
            json.dump(S.replica_spec("replica_small"), f)
        server = S.Server(path, args=("--body-limit", "65536"))
        server.start_reading()
        try:
            server.wait()
            c, retries = client(server.url)
            big = [{"completion": "x" * 1_000_000, "reference": "7"}] * 5
            with self.assertRaises(rk.RewardkitHTTPError) as cm:
                c.score(big)
            self.assertEqual((cm.exception.status, cm.exception.kind, cm.exception.attempts), (413, "too_large", 1))
            self.assertEqual(retries, [])
            self.assertEqual(c.score(SAMPLES)[0]["status"], "ok")  # the server still serves
        finally:
            server.stop()
            shutil.rmtree(os.path.dirname(path), ignore_errors=True)

    def test_a_200_that_is_not_json_is_an_error(self):
        with StandIn([{"status": 200, "body": "<html>login page</html>"}]) as s:
            with self.assertRaises(rk.RewardkitError) as cm:
                client(s.url)[0].score(SAMPLES)
            self.assertIn("not JSON", str(cm.exception))


class Failover(unittest.TestCase):
    def test_connection_refused_everywhere(self):
        c, retries = client(S.dead_url(), max_retries=3)
        with self.assertRaises(rk.RewardkitConnectionError) as cm:
            c.score(SAMPLES)
        self.assertEqual(cm.exception.attempts, 4)
        self.assertEqual(len(retries), 3)

    def test_a_shard_whose_server_is_down_goes_to_the_next_url(self):
        dead = S.dead_url()
        samples = [{"completion": answer(i), "reference": str(i)} for i in range(6)]
        c, retries = client([dead, S.url("b")])
        results = c.score(samples)
        self.assertEqual([r["reward"] for r in results], [1] * 6)
        self.assertEqual([r["components"]["format"]["details"]["answer"] for r in results], [str(i) for i in range(6)])
        # Shard 0 was meant for the dead URL: retried once on the next one. Shard 1 went straight there.
        self.assertEqual({replica_of(r) for r in results}, {"replica_b"})
        self.assertEqual([r["url"] for r in retries], [dead + "/v1/score"])

    def test_a_busy_replica_sends_its_shard_to_the_other(self):
        with StandIn([{"status": 429, "headers": {"Retry-After": "0"}}], upstream=S.url("a")) as s:
            samples = [{"completion": answer(i), "reference": str(i)} for i in range(4)]
            c, retries = client([s.url, S.url("b")])
            results = c.score(samples)
            self.assertEqual([r["reward"] for r in results], [1] * 4)
            self.assertEqual([replica_of(r) for r in results], ["replica_b"] * 4)
            self.assertEqual(len(retries), 1)


class RequestShape(unittest.TestCase):
    def test_headers_and_body(self):
        with StandIn([], upstream=S.url("auth")) as s:
            c = rk.RewardkitClient(s.url, token=S.TOKEN, headers={"X-Request-Id": "step-12"})
            results = c.score(SAMPLES)
            self.assertEqual(results[0]["status"], "ok")
            [req] = s.requests
            self.assertEqual((req["method"], req["path"]), ("POST", "/v1/score"))
            h = {k.lower(): v for k, v in req["headers"].items()}
            self.assertEqual(h["authorization"], "Bearer " + S.TOKEN)
            self.assertEqual(h["content-type"], "application/json")
            self.assertEqual(h["x-request-id"], "step-12")
            self.assertEqual(req["body"], {"samples": SAMPLES})

    def test_retry_after_formats(self):
        self.assertEqual(rk._parse_retry_after("3"), 3.0)
        self.assertEqual(rk._parse_retry_after("-1"), 0.0)
        self.assertIsNone(rk._parse_retry_after("soon"))
        self.assertIsNone(rk._parse_retry_after(None))
        future = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
        self.assertTrue(20 <= rk._parse_retry_after(future) <= 31)
        self.assertEqual(rk._parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), 0.0)


if __name__ == "__main__":
    unittest.main()
