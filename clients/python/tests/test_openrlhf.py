"""OpenRLHF against real servers: its own remote_rm_url calls, and the custom reward_func file.

Recorded shapes (OpenRLHF 0.6-0.8, openrlhf/trainer/ppo_utils/experience_maker.py and
openrlhf/utils/remote_rm_utils.py):

* ``--remote_rm_url http://a/get_reward,http://b/get_reward``: the batch's decoded queries (prompt +
  response, special tokens kept) are cut into ``ceil(n / len(urls))``-sized contiguous chunks, chunk i
  posted to url i by ``request_api_wrapper(url, {"query": ..., "prompts": ..., "labels": ...})`` (requests,
  JSON, no auth header); the answer's "rewards" (and in 0.7+ "scores", "extra_logs") are used.
* ``--remote_rm_url /path/to/file.py``: the file is loaded with
  ``importlib.util.spec_from_file_location("reward_func", path)`` and its ``reward_func(queries, prompts,
  labels)`` called (through ``ray.remote``), returning ``{"rewards", "scores", "extra_logs"}`` (tensors in
  OpenRLHF's example).
"""

import importlib.util
import json
import os
import unittest
import urllib.request

import rk_support as S
from rk_support import answer

import rewardkit_client as rk

QWEN = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n{}<|im_end|>\n<|im_start|>assistant\n"


def rollout(n):
    """n (query, prompt, label, expected reward) as OpenRLHF decodes them (Qwen2.5 chat template)."""
    rows = []
    for i in range(n):
        prompt = QWEN.format("Compute {} * 3.".format(i))
        right = i % 3 != 1
        response = answer(3 * i if right else 3 * i + 1, "{} * 3".format(i))
        rows.append((prompt + response + "<|im_end|>", prompt, str(3 * i), 1.0 if right else 0.2))
    return rows


def plain(x):
    return x.tolist() if hasattr(x, "tolist") else x


class OpenRLHFRemoteRM(unittest.TestCase):
    def test_openrlhf_own_sharding_over_two_servers(self):
        """What OpenRLHF does by itself with two --remote_rm_url entries (no client of ours)."""
        rows = rollout(7)
        urls = [S.url("a") + "/get_reward", S.url("b") + "/get_reward"]
        batch_size = (len(rows) + len(urls) - 1) // len(urls)
        rewards = []
        for i, url in enumerate(urls):
            chunk = rows[i * batch_size : (i + 1) * batch_size]
            data = {"query": [r[0] for r in chunk], "prompts": [r[1] for r in chunk], "labels": [r[2] for r in chunk]}
            req = urllib.request.Request(url, data=json.dumps(data).encode(), headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=180) as resp:
                answer_ = json.load(resp)
            self.assertEqual(set(answer_), {"rewards", "scores", "extra_logs"})
            rewards.extend(answer_["rewards"])
        for got, row in zip(rewards, rows):
            self.assertAlmostEqual(got, row[3])

    def test_client_get_reward_matches(self):
        rows = rollout(7)
        out = rk.RewardkitClient([S.url("a"), S.url("b")]).get_reward(
            [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
        )
        for got, row in zip(out["rewards"], rows):
            self.assertAlmostEqual(got, row[3])


class OpenRLHFCustomRewardFunc(unittest.TestCase):
    def load_like_openrlhf(self):
        spec = importlib.util.spec_from_file_location("reward_func", S.CLIENT_FILE)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.reward_func

    def test_reward_func_file_with_a_token(self):
        # The reason to use the file: --remote_rm_url http://... cannot send a bearer token.
        reward_func = self.load_like_openrlhf()
        rows = rollout(5)
        os.environ["REWARDKIT_URL"] = "{},{}".format(S.url("auth"), S.url("auth"))
        os.environ["REWARDKIT_TOKEN"] = S.TOKEN
        try:
            out = reward_func([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
        finally:
            del os.environ["REWARDKIT_URL"], os.environ["REWARDKIT_TOKEN"]
        self.assertEqual(set(out), {"rewards", "scores", "extra_logs"})
        for got, row in zip(plain(out["rewards"]), rows):
            self.assertAlmostEqual(got, row[3], places=6)
        logs = {k: plain(v) for k, v in out["extra_logs"].items()}
        self.assertEqual(logs["rk_ok"], [1] * 5)
        self.assertEqual(logs["rk/replica_auth"], [1] * 5)

    def test_non_ok_results_are_flagged(self):
        prompt = QWEN.format("x")
        out = rk.OpenRLHFRewardFunc(S.url("a"), tensors=False)(
            [prompt + answer(1) + "<|im_end|>", prompt + answer(1), "not the prompt at all"],
            [prompt, prompt, prompt],
            ["\\frac{", None, "1"],
        )
        logs = out["extra_logs"]
        self.assertEqual(logs["rk_ok"], [0, 0, 0])
        self.assertEqual(logs["rk_abstain"], [1, 0, 0])
        self.assertEqual(logs["rk_error"], [0, 1, 1])
        self.assertEqual(out["rewards"], [0, 0, 0])  # the server's --abstain-value / --error-value

    def test_tensors(self):
        try:
            import torch  # noqa: F401
        except ImportError:
            with self.assertRaises(ImportError):
                rk.OpenRLHFRewardFunc(S.url("a"), tensors=True)(["q"], ["q"], ["1"])
            out = rk.OpenRLHFRewardFunc(S.url("a"))([QWEN.format("a") + answer(1)], [QWEN.format("a")], ["1"])
            self.assertEqual(out["rewards"], [1])  # "auto" without torch: lists
        else:  # pragma: no cover - where torch is installed
            out = rk.OpenRLHFRewardFunc(S.url("a"))([QWEN.format("a") + answer(1)], [QWEN.format("a")], ["1"])
            self.assertEqual(out["rewards"].tolist(), [1.0])


if __name__ == "__main__":
    unittest.main()
