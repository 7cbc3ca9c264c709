"""RewardkitClient against real rewardkit servers: order, statuses, sharding over two replicas, groups,
OpenRLHF's /get_reward, bearer auth and non-retried errors."""

import math
import os
import unittest

import rk_support as S
from rk_support import answer, replica_of

import rewardkit_client as rk


def batch(n, offset=0):
    """n samples cycling through the four outcomes; returns (samples, [(status, reward, extracted answer)])."""
    samples, expected = [], []
    for i in range(offset, offset + n):
        kind = i % 4
        if kind == 0:  # right answer
            samples.append({"completion": answer(i), "reference": str(i)})
            expected.append(("ok", 1.0, str(i)))
        elif kind == 1:  # wrong answer, good format
            samples.append({"completion": answer(i + 1), "reference": str(i)})
            expected.append(("ok", 0.2, str(i + 1)))
        elif kind == 2:  # the reference does not parse: the math verifier abstains
            samples.append({"completion": answer(i), "reference": "\\frac{"})
            expected.append(("abstain", None, str(i)))
        else:  # no reference: an error, not a zero
            samples.append({"completion": answer(i)})
            expected.append(("error", None, str(i)))
    return samples, expected


class ResultChecks(unittest.TestCase):
    def check(self, results, expected):
        self.assertEqual(len(results), len(expected))
        for i, (r, (status, reward, extracted)) in enumerate(zip(results, expected)):
            with self.subTest(i=i):
                self.assertEqual(r["status"], status, r)
                if reward is None:
                    self.assertIsNone(r["reward"])
                else:
                    self.assertAlmostEqual(r["reward"], reward, places=9)
                # The format component reports what it read from <answer>: the result is sample i's.
                self.assertEqual(r["components"]["format"]["details"]["answer"], extracted)


class NativeProtocol(ResultChecks):
    def test_scores_a_batch_in_order_with_every_status(self):
        samples, expected = batch(12)
        results = rk.RewardkitClient(S.url("a")).score(samples)
        self.check(results, expected)
        self.assertEqual({replica_of(r) for r in results}, {"replica_a"})
        err = results[3]
        self.assertEqual(err["error"]["kind"], "invalid_input")
        self.assertIn("reference", err["error"]["message"])

    def test_rewards_maps_abstain_and_error(self):
        samples, expected = batch(4)
        c = rk.RewardkitClient(S.url("a"))
        got = c.rewards(samples)
        self.assertEqual([g is None for g in got], [e[1] is None for e in expected])
        self.assertEqual(c.rewards(samples, abstain=-0.5, error=-1)[2:], [-0.5, -1])

    def test_chat_completions_and_metadata(self):
        results = rk.RewardkitClient(S.url("a")).score(
            [
                {
                    "prompt": [{"role": "user", "content": "What is 1/2 as a decimal?"}],
                    "completion": [{"role": "assistant", "content": answer("$\\frac{1}{2}$")}],
                    "reference": "0.5",
                    "source": "unit-test",
                }
            ]
        )
        self.assertEqual(results[0]["status"], "ok")
        self.assertAlmostEqual(results[0]["reward"], 1.0)

    def test_empty_batch_needs_no_server(self):
        self.assertEqual(rk.RewardkitClient(S.dead_url(), max_retries=0).score([]), [])
        self.assertEqual(
            rk.RewardkitClient(S.dead_url(), max_retries=0).get_reward([], [], []),
            {"rewards": [], "scores": [], "extra_logs": {}},
        )

    def test_health_and_endpoint_urls(self):
        c = rk.RewardkitClient(S.url("a") + "/v1/score")  # an endpoint URL is cut back to its base
        self.assertEqual(c.urls, [S.url("a")])
        self.assertEqual(c.health()["status"], "ok")
        c.wait_ready(timeout=30)

    def test_a_400_is_raised_with_the_reason_and_not_retried(self):
        retries = []
        c = rk.RewardkitClient(S.url("a"), on_retry=retries.append)
        with self.assertRaises(rk.RewardkitHTTPError) as cm:
            c.score([{"completion": "x"}], placement="nowhere")
        self.assertEqual(cm.exception.status, 400)
        self.assertEqual(cm.exception.kind, "invalid_input")
        self.assertIn("placement", cm.exception.message)
        self.assertEqual(cm.exception.attempts, 1)
        self.assertEqual(retries, [])

    def test_samples_are_checked_before_sending(self):
        c = rk.RewardkitClient(S.dead_url(), max_retries=0)
        with self.assertRaises(TypeError):
            c.score(["not a dict"])
        with self.assertRaises(TypeError):
            c.score([{"completion": "x", "blob": object()}])
        with self.assertRaises(TypeError):
            c.score("a string is not a batch")

    def test_non_finite_metadata_is_sent_as_null(self):
        [r] = rk.RewardkitClient(S.url("a")).score([{"completion": answer(3), "reference": "3", "w": float("nan")}])
        self.assertEqual(r["status"], "ok")


class Sharding(ResultChecks):
    def test_one_contiguous_shard_per_url_like_openrlhf(self):
        samples, expected = batch(10)
        c = rk.RewardkitClient([S.url("a"), S.url("b")])
        results = c.score(samples)
        self.check(results, expected)
        # Balanced contiguous shards: the first 5 samples went to the first URL, the rest to the second.
        self.assertEqual([replica_of(r) for r in results], ["replica_a"] * 5 + ["replica_b"] * 5)

    def test_max_batch_makes_more_shards_spread_round_robin(self):
        samples, expected = batch(10)
        c = rk.RewardkitClient("{},{}".format(S.url("a"), S.url("b")), max_batch=3, max_workers=2)
        results = c.score(samples)
        self.check(results, expected)
        tags = [replica_of(r) for r in results]
        # ceil(10 / 3) = 4 shards of 3, 3, 2, 2 samples, sent to a, b, a, b.
        self.assertEqual(tags, ["replica_a"] * 3 + ["replica_b"] * 3 + ["replica_a"] * 2 + ["replica_b"] * 2)

    def test_more_urls_than_samples(self):
        samples, expected = batch(1)
        results = rk.RewardkitClient([S.url("a"), S.url("b")]).score(samples)
        self.check(results, expected)

    def test_groups_are_never_split_between_shards(self):
        samples, sizes = [], {}
        for g, size in enumerate([3, 1, 4, 2, 2]):  # 12 samples in 5 groups, interleaved
            sizes["q{}".format(g)] = size
        order = ["q0", "q2", "q0", "q1", "q2", "q3", "q4", "q2", "q0", "q3", "q4", "q2"]
        for i, q in enumerate(order):
            samples.append({"completion": answer(i if i % 3 else i + 1), "reference": str(i), "qid": q})
        c = rk.RewardkitClient([S.url("a"), S.url("b")])
        out = c.score_response(samples, group={"by": "qid"})
        results = out["results"]
        self.assertEqual(len(results), len(samples))
        replica_by_group = {}
        for i, (s, r) in enumerate(zip(samples, results)):
            self.assertEqual(r["group"]["key"], s["qid"])
            # The server saw the whole group: its size is the group's size in the whole batch.
            self.assertEqual(r["group"]["size"], sizes[s["qid"]], i)
            replica_by_group.setdefault(s["qid"], set()).add(replica_of(r))
            self.assertEqual(r["components"]["format"]["details"]["answer"], str(i if i % 3 else i + 1))
        self.assertTrue(all(len(v) == 1 for v in replica_by_group.values()), replica_by_group)
        # Both replicas got work, and every group has exactly one summary.
        self.assertEqual(set.union(*replica_by_group.values()), {"replica_a", "replica_b"})
        self.assertEqual(sorted(g["key"] for g in out["groups"]), sorted(sizes))

    def test_a_group_by_template_goes_whole(self):
        samples = [{"completion": answer(i), "reference": str(i % 2), "qid": "q{}".format(i % 2)} for i in range(6)]
        results = rk.RewardkitClient([S.url("a"), S.url("b")]).score(samples, group={"by": "{{qid}}"})
        self.assertEqual(len({replica_of(r) for r in results}), 1)
        self.assertEqual([r["group"]["size"] for r in results], [3] * 6)


class OpenRLHFProtocol(unittest.TestCase):
    PROMPT = (
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        "<|im_start|>user\nWhat is {}+{}?<|im_end|>\n<|im_start|>assistant\n"
    )

    def test_get_reward_sharded_over_two_servers(self):
        queries, prompts, labels, expected = [], [], [], []
        for i in range(7):
            p = self.PROMPT.format(i, i)
            right = i % 2 == 0
            queries.append(p + answer(2 * i if right else 2 * i + 1) + "<|im_end|>")
            prompts.append(p)
            labels.append(str(2 * i))
            expected.append(1.0 if right else 0.2)
        c = rk.RewardkitClient([S.url("a") + "/get_reward", S.url("b") + "/get_reward"])
        out = c.get_reward(queries, prompts, labels)
        for got, want in zip(out["rewards"], expected):
            self.assertAlmostEqual(got, want)
        self.assertEqual(out["scores"], out["rewards"])
        logs = out["extra_logs"]
        self.assertEqual(logs["rk_ok"], [1] * 7)
        self.assertEqual(logs["rk_error"], [0] * 7)
        # Each shard reports its own replica's tag; the other shard's samples are filled with NaN.
        a, b = logs["rk/replica_a"], logs["rk/replica_b"]
        self.assertEqual(a[:4], [1, 1, 1, 1])
        self.assertTrue(all(math.isnan(x) for x in a[4:]))
        self.assertTrue(all(math.isnan(x) for x in b[:4]))
        self.assertEqual(b[4:], [1, 1, 1])

    def test_mismatched_lists_are_refused_before_sending(self):
        with self.assertRaises(ValueError):
            rk.RewardkitClient(S.dead_url()).get_reward(["a", "b"], ["a"], None)


class BearerAuth(ResultChecks):
    def test_token_argument(self):
        samples, expected = batch(4)
        results = rk.RewardkitClient(S.url("auth"), token=S.TOKEN).score(samples)
        self.check(results, expected)
        self.assertEqual({replica_of(r) for r in results}, {"replica_auth"})

    def test_token_from_the_environment(self):
        os.environ["REWARDKIT_TOKEN"] = S.TOKEN
        try:
            c = rk.RewardkitClient(S.url("auth"))
        finally:
            del os.environ["REWARDKIT_TOKEN"]
        self.assertEqual(c.token, S.TOKEN)
        self.assertEqual(c.rewards([{"completion": answer(5), "reference": "5"}]), [1])

    def test_missing_or_wrong_token_is_401_and_never_retried(self):
        for token in (None, "wrong-" + S.TOKEN):
            with self.subTest(token=token):
                retries = []
                c = rk.RewardkitClient(S.url("auth"), token=token, on_retry=retries.append)
                with self.assertRaises(rk.RewardkitHTTPError) as cm:
                    c.score([{"completion": answer(1), "reference": "1"}])
                self.assertEqual(cm.exception.status, 401)
                self.assertEqual(cm.exception.attempts, 1)
                self.assertEqual(retries, [])
                with self.assertRaises(rk.RewardkitHTTPError) as cm:
                    c.get_reward(["q"], ["q"], ["x"])
                self.assertEqual(cm.exception.status, 401)

    def test_health_needs_no_token(self):
        self.assertEqual(rk.RewardkitClient(S.url("auth"), token=None).health()["status"], "ok")

    def test_sharding_with_a_token(self):
        # The token goes with every shard (here two shards to the same server).
        samples, expected = batch(6)
        c = rk.RewardkitClient([S.url("auth"), S.url("auth")], token=S.TOKEN)
        self.check(c.score(samples), expected)


if __name__ == "__main__":
    unittest.main()
