"""The verl adapters with the calls verl's reward managers make, against a real server.

Recorded shapes (verl 0.4/0.5, verl/workers/reward_manager/ and verl/trainer/ppo/reward.py):

* ``get_custom_reward_fn(config)`` loads ``custom_reward_function.path`` with
  ``importlib.util.spec_from_file_location("custom_module", path)``, registers it in
  ``sys.modules["custom_module"]``, takes ``custom_reward_function.name`` from it and wraps it so that
  ``custom_reward_function.reward_kwargs`` are passed as extra keywords.
* NaiveRewardManager (also DAPO / PRIME): ``compute_score(data_source=..., solution_str=...,
  ground_truth=..., extra_info=...)`` per sample, where ``ground_truth`` is
  ``non_tensor_batch["reward_model"]["ground_truth"]`` and ``extra_info`` the row's dict (GSM8K's
  preprocessing: ``{"split", "index", "answer", "question"}``; 0.5 adds ``num_turns``). A dict result must
  have "score"; all its keys are appended to ``reward_extra_info`` lists.
* BatchRewardManager: ``compute_score(data_sources=..., solution_strs=..., ground_truths=...,
  extra_infos=..., **reward_kwargs)`` once per batch, where ``data_sources`` and ``extra_infos`` come from
  ``non_tensor_batch`` as numpy object arrays; returns one score (or dict) per sample.
"""

import functools
import importlib.util
import os
import pickle
import sys
import unittest

import rk_support as S
from rk_support import StandIn, answer, replica_of

import rewardkit_client as rk

try:
    import numpy as np
except ImportError:  # numpy is optional for these tests: the numpy shapes are then skipped
    np = None

KEYS = {"score", "rk_ok", "rk_abstain", "rk_error"}


def gsm8k_row(i, response, ground_truth):
    """One sample as NaiveRewardManager passes it (keywords)."""
    return dict(
        data_source="openai/gsm8k",
        solution_str=response,
        ground_truth=ground_truth,
        extra_info={"split": "train", "index": i, "answer": "#### " + str(ground_truth),
                    "question": "Q{}".format(i), "num_turns": 2},
    )


def load_like_verl(name, reward_kwargs):
    """verl's get_custom_reward_fn: load the file by path under "custom_module", wrap with reward_kwargs."""
    spec = importlib.util.spec_from_file_location("custom_module", S.CLIENT_FILE)
    module = importlib.util.module_from_spec(spec)
    sys.modules["custom_module"] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["custom_module"]
    raw_fn = getattr(module, name)

    @functools.wraps(raw_fn)
    def wrapped_fn(*args, **kwargs):
        return raw_fn(*args, **kwargs, **reward_kwargs)

    return wrapped_fn


class VerlPerSample(unittest.TestCase):
    def test_naive_reward_manager_calls(self):
        scorer = rk.VerlScorer(S.url("a"), abstain_score=-0.5, error_score=-1.0)
        out = [
            scorer.compute_score(**gsm8k_row(0, answer(72), "72")),
            scorer.compute_score(**gsm8k_row(1, answer(71), "72")),
            scorer.compute_score(**gsm8k_row(2, answer(72), "\\frac{")),
            scorer.compute_score(**gsm8k_row(3, answer(72), None)),
        ]
        for o in out:
            self.assertEqual(set(o), KEYS)  # the same keys for every sample: verl makes lists of them
            self.assertIsInstance(o["score"], float)
        self.assertEqual([o["score"] for o in out[:1]], [1.0])
        self.assertAlmostEqual(out[1]["score"], 0.2)
        self.assertEqual(out[2], {"score": -0.5, "rk_ok": 0, "rk_abstain": 1, "rk_error": 0})
        self.assertEqual(out[3], {"score": -1.0, "rk_ok": 0, "rk_abstain": 0, "rk_error": 1})
        self.assertEqual(out[0]["rk_ok"], 1)
        # __call__ is compute_score, positional as in older verl
        self.assertEqual(scorer("openai/gsm8k", answer(5), "5")["score"], 1.0)

    def test_wire_shape(self):
        with StandIn([], upstream=S.url("a")) as s:
            rk.VerlScorer(s.url).compute_score(**gsm8k_row(7, answer(72), "72"))
            [body] = s.bodies("/v1/score")
        self.assertEqual(
            body["samples"],
            [{
                "completion": answer(72),
                "data_source": "openai/gsm8k",
                "reference": "72",
                "metadata": {"split": "train", "index": 7, "answer": "#### 72", "question": "Q7", "num_turns": 2},
            }],
        )

    def test_module_function_loaded_by_path_with_reward_kwargs(self):
        # custom_reward_function.path=<rewardkit_client.py> name=compute_score
        # custom_reward_function.reward_kwargs.url=<server>  (or REWARDKIT_URL in the workers' env)
        fn = load_like_verl("compute_score", {"url": S.url("b"), "abstain_score": 0.25})
        self.assertEqual(fn(**gsm8k_row(0, answer(72), "72"))["score"], 1.0)
        self.assertEqual(fn(**gsm8k_row(0, answer(72), "\\frac{"))["score"], 0.25)

    def test_module_function_from_environment(self):
        fn = load_like_verl("compute_score", {})
        os.environ["REWARDKIT_URL"] = S.url("auth")
        os.environ["REWARDKIT_TOKEN"] = S.TOKEN
        os.environ["REWARDKIT_ERROR_SCORE"] = "-2"
        try:
            self.assertEqual(fn(**gsm8k_row(0, answer(72), "72"))["score"], 1.0)
            self.assertEqual(fn(**gsm8k_row(0, answer(72), None))["score"], -2.0)
        finally:
            for k in ("REWARDKIT_URL", "REWARDKIT_TOKEN", "REWARDKIT_ERROR_SCORE"):
                del os.environ[k]

    def test_pickles(self):
        scorer = pickle.loads(pickle.dumps(rk.VerlScorer(S.url("a"))))
        self.assertEqual(scorer.compute_score(**gsm8k_row(0, answer(1), "1"))["score"], 1.0)


class VerlBatch(unittest.TestCase):
    def batch(self):
        rows = [gsm8k_row(i, answer(i if i % 3 else i + 1), str(i)) for i in range(9)]
        return (
            [r["data_source"] for r in rows],
            [r["solution_str"] for r in rows],
            [r["ground_truth"] for r in rows],
            [r["extra_info"] for r in rows],
        )

    def check(self, out):
        self.assertEqual(len(out), 9)
        for i, o in enumerate(out):
            self.assertEqual(set(o), KEYS)
            self.assertAlmostEqual(o["score"], 0.2 if i % 3 == 0 else 1.0)

    def test_batch_reward_manager_call(self):
        data_sources, solution_strs, ground_truths, extra_infos = self.batch()
        scorer = rk.VerlScorer([S.url("a"), S.url("b")])
        self.check(scorer.compute_score_batch(
            data_sources=data_sources, solution_strs=solution_strs, ground_truths=ground_truths, extra_infos=extra_infos
        ))

    @unittest.skipIf(np is None, "numpy is not installed")
    def test_numpy_object_arrays_and_numpy_scalars(self):
        data_sources, solution_strs, ground_truths, extra_infos = self.batch()
        for e in extra_infos:
            e["index"] = np.int64(e["index"])
            e["weights"] = np.array([0.5, 0.25])
        with StandIn([], upstream=S.url("a")) as s:
            out = rk.VerlScorer(s.url).compute_score_batch(
                data_sources=np.array(data_sources, dtype=object),
                solution_strs=solution_strs,
                ground_truths=np.array(ground_truths, dtype=object),
                extra_infos=np.array(extra_infos, dtype=object),
            )
            [body] = s.bodies("/v1/score")
        self.check(out)
        self.assertEqual(body["samples"][4]["metadata"]["index"], 4)
        self.assertEqual(body["samples"][4]["metadata"]["weights"], [0.5, 0.25])

    def test_numpy_like_scalars_without_numpy(self):
        class Scalar:  # what numpy scalars offer: .item()
            def __init__(self, v):
                self.v = v

            def item(self):
                return self.v

        sample = rk.VerlScorer.sample(Scalar("src"), "text", Scalar(3), {"i": Scalar(2)})
        self.assertEqual(sample, {"completion": "text", "data_source": "src", "reference": 3, "metadata": {"i": 2}})

    def test_module_batch_function_loaded_by_path(self):
        # reward_model.reward_manager=batch custom_reward_function.name=compute_score_batch
        fn = load_like_verl("compute_score_batch", {"url": "{},{}".format(S.url("a"), S.url("b"))})
        data_sources, solution_strs, ground_truths, extra_infos = self.batch()
        self.check(fn(data_sources=data_sources, solution_strs=solution_strs, ground_truths=ground_truths,
                      extra_infos=extra_infos))

    def test_sharded_batch_keeps_order(self):
        data_sources, solution_strs, ground_truths, extra_infos = self.batch()
        client = rk.RewardkitClient([S.url("a"), S.url("b")], max_batch=2)
        out = rk.VerlScorer(client).compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos)
        self.check(out)

    def test_misaligned(self):
        with self.assertRaises(ValueError):
            rk.VerlScorer(S.url("a")).compute_score_batch(["s"], ["a", "b"], ["1", "2"], None)


class ReplicaCheck(unittest.TestCase):
    def test_batch_is_spread_over_both(self):
        samples = [rk.VerlScorer.sample("d", answer(i), str(i)) for i in range(4)]
        results = rk.RewardkitClient([S.url("a"), S.url("b")]).score(samples)
        self.assertEqual([replica_of(r) for r in results], ["replica_a", "replica_a", "replica_b", "replica_b"])


if __name__ == "__main__":
    unittest.main()
