"""The module itself: Python 3.9 syntax, standard library only, picklable objects, configuration errors."""

import ast
import os
import pickle
import sys
import unittest

import rk_support as S

import rewardkit_client as rk


def source_tree():
    with open(S.CLIENT_FILE, encoding="utf-8") as f:
        return ast.parse(f.read(), filename=S.CLIENT_FILE)


class ModuleRules(unittest.TestCase):
    def test_parses_as_python_39(self):
        with open(S.CLIENT_FILE, encoding="utf-8") as f:
            ast.parse(f.read(), filename=S.CLIENT_FILE, feature_version=(3, 9))

    def test_no_runtime_annotations_newer_than_39(self):
        # `X | Y` in an annotation is evaluated at definition time on 3.9 (no `from __future__` here).
        for node in ast.walk(source_tree()):
            ann = getattr(node, "annotation", None) or getattr(node, "returns", None)
            if ann is not None:
                self.assertFalse(
                    any(isinstance(n, ast.BinOp) for n in ast.walk(ann)),
                    "PEP 604 union in an annotation at line {}".format(node.lineno),
                )

    @unittest.skipIf(sys.version_info < (3, 10), "sys.stdlib_module_names is 3.10+")
    def test_standard_library_only(self):
        top_level, lazy = set(), set()
        tree = source_tree()
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        inner = {id(m) for f in functions for m in ast.walk(f)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [(node.module or "").split(".")[0]]
            else:
                continue
            (lazy if id(node) in inner else top_level).update(names)
        self.assertEqual(top_level - set(sys.stdlib_module_names), set())
        # torch is imported only inside OpenRLHFRewardFunc, and only if present.
        self.assertEqual(lazy - set(sys.stdlib_module_names), {"torch"})

    def test_everything_pickles(self):
        client = rk.RewardkitClient(["http://a:1", "http://b:2"], token="t", timeout=9, max_batch=4)
        for obj in (client, rk.TRLRewardFunc(client), rk.VerlScorer(client), rk.OpenRLHFRewardFunc(client)):
            with self.subTest(type(obj).__name__):
                copy = pickle.loads(pickle.dumps(obj))
                c = getattr(copy, "client", copy)
                self.assertEqual((c.urls, c.token, c.timeout, c.max_batch), (client.urls, "t", 9.0, 4))
        e = pickle.loads(pickle.dumps(rk.RewardkitHTTPError(429, "busy", "full", "http://x", 3, 2.0, {"a": 1})))
        self.assertEqual((e.status, e.kind, e.attempts, e.retry_after, e.body), (429, "busy", 3, 2.0, {"a": 1}))
        e = pickle.loads(pickle.dumps(rk.RewardkitConnectionError("http://x", "refused", 4)))
        self.assertEqual((e.url, e.reason, e.attempts), ("http://x", "refused", 4))


class Configuration(unittest.TestCase):
    def test_urls(self):
        self.assertEqual(rk.RewardkitClient("http://a:1/, http://b:2/get_reward").urls, ["http://a:1", "http://b:2"])
        with self.assertRaises(ValueError):
            rk.RewardkitClient("a:1")
        with self.assertRaises(ValueError):
            rk.RewardkitClient()  # no REWARDKIT_URL in the test environment
        os.environ["REWARDKIT_URL"] = "http://x:1,http://y:2"
        os.environ["REWARDKIT_TIMEOUT"] = "12.5"
        try:
            c = rk.RewardkitClient()
        finally:
            del os.environ["REWARDKIT_URL"], os.environ["REWARDKIT_TIMEOUT"]
        self.assertEqual((c.urls, c.timeout, c.token), (["http://x:1", "http://y:2"], 12.5, None))

    def test_bad_options(self):
        for kw in ({"timeout": 0}, {"max_retries": -1}, {"max_batch": 0}):
            with self.subTest(kw):
                with self.assertRaises(ValueError):
                    rk.RewardkitClient("http://x:1", **kw)
        with self.assertRaises(TypeError):
            rk.TRLRewardFunc(rk.RewardkitClient("http://x:1"), timeout=3)  # options with a ready client

    def test_shards(self):
        c = rk.RewardkitClient(["http://a:1", "http://b:1", "http://c:1"])
        self.assertEqual(c._shards(8, None, None), [[0, 1, 2], [3, 4, 5], [6, 7]])
        self.assertEqual(c._shards(2, None, None), [[0], [1]])
        c = rk.RewardkitClient("http://a:1", max_batch=3)
        self.assertEqual([len(s) for s in c._shards(10, None, None)], [3, 3, 2, 2])
        # Every index exactly once, whatever the sizes.
        for n in range(1, 40):
            for urls in (1, 2, 5):
                for mb in (None, 1, 4):
                    c = rk.RewardkitClient(["http://h:{}".format(i + 1) for i in range(urls)], max_batch=mb)
                    shards = c._shards(n, None, None)
                    self.assertEqual(sorted(i for s in shards for i in s), list(range(n)))
                    self.assertTrue(all(shards))


if __name__ == "__main__":
    unittest.main()
