"""The TRL adapter with the calls TRL's GRPOTrainer makes, against a real server.

Recorded shapes (trl/trainer/grpo_trainer.py, `_calculate_rewards` / `_generate_and_score_completions`):

* TRL 0.14-0.16: ``reward_func(prompts=prompts, completions=completions, **reward_kwargs)`` where
  ``reward_kwargs = {key: [example[key] for example in inputs] for key in inputs[0] if key not in
  ["prompt", "completion"]}``: every other dataset column, one value per completion (prompts repeated
  ``num_generations`` times).
* TRL 0.17+: also ``completion_ids=completion_ids_list`` (lists of token ids).
* TRL 0.20+: also ``reward_kwargs["trainer_state"] = self.state`` (a transformers TrainerState).
* Conversational datasets: ``prompts[i]`` is a list of messages and ``completions[i]`` is
  ``[{"role": "assistant", "content": text}]``.
* TRL turns ``None`` into NaN (``[r if r is not None else torch.nan for r in output]``) and logs the
  function under ``reward_func.__name__``.

Request bodies are checked through the forwarding stand-in (rk_support.StandIn with no faults), which
records what reached the wire and relays the real server's answer.
"""

import math
import pickle
import unittest

import rk_support as S
from rk_support import StandIn, answer, replica_of

import rewardkit_client as rk


class TrainerState:
    """Stands for transformers.TrainerState (an object TRL passes, not a dataset column)."""

    def __init__(self):
        self.global_step = 12
        self.epoch = 0.25


class FakeImage:
    """Stands for a PIL image in a vision dataset's "image" column (not JSON)."""


def standard_call():
    """GRPOTrainer on a standard-format dataset (columns: prompt, solution, problem_id, image), two
    generations per prompt, TRL 0.20+ keywords."""
    prompts = ["What is 3*4?", "What is 3*4?", "Simplify 2/4.", "Simplify 2/4.", "Name the number.", "Name the number."]
    completions = [
        answer(12),  # right
        answer(13),  # wrong
        answer("\\frac{1}{2}"),  # right, as a fraction
        "the answer is one half",  # no format, no <answer>: 0
        answer(3),  # reference does not parse: abstain
        answer(3),  # no reference in the row: error
    ]
    kwargs = {
        "completion_ids": [[1, 2, 3]] * 6,
        "solution": ["12", "12", "0.5", "0.5", "\\frac{", None],
        "problem_id": [101, 101, 102, 102, 103, 103],
        "image": [FakeImage()] * 6,
        "trainer_state": TrainerState(),
    }
    return prompts, completions, kwargs


class TRLStandardFormat(unittest.TestCase):
    def test_grpo_call_scores_and_maps_abstain_and_error_to_none(self):
        prompts, completions, kwargs = standard_call()
        with StandIn([], upstream=S.url("a")) as s:
            f = rk.TRLRewardFunc(s.url, reference_column="solution")
            out = f(prompts=prompts, completions=completions, **kwargs)
            [body] = s.bodies("/v1/score")
        self.assertEqual(len(out), 6)
        self.assertAlmostEqual(out[0], 1.0)
        self.assertAlmostEqual(out[1], 0.2)
        self.assertAlmostEqual(out[2], 1.0)
        self.assertEqual(out[3], 0)
        self.assertIsNone(out[4])
        self.assertIsNone(out[5])
        self.assertEqual([r["status"] for r in f.last_results], ["ok"] * 4 + ["abstain", "error"])
        # What TRL does with the list: None -> NaN, everything a float.
        as_trl = [r if r is not None else math.nan for r in out]
        self.assertTrue(all(isinstance(x, (int, float)) for x in as_trl))
        # The wire: prompt, completion, reference from "solution", JSON columns as metadata; no token
        # ids, no trainer state, no image; a None reference is left out.
        samples = body["samples"]
        self.assertEqual(
            samples[0],
            {"prompt": "What is 3*4?", "completion": answer(12), "reference": "12", "problem_id": 101},
        )
        self.assertNotIn("reference", samples[5])
        for smp in samples:
            self.assertEqual(set(smp) - {"reference"}, {"prompt", "completion", "problem_id"})

    def test_trl_014_call_without_ids_or_state(self):
        prompts, completions, kwargs = standard_call()
        del kwargs["completion_ids"], kwargs["trainer_state"], kwargs["image"]
        f = rk.TRLRewardFunc(S.url("a"), reference_column="solution")
        out = f(prompts=prompts, completions=completions, **kwargs)
        self.assertEqual([x is None for x in out], [False] * 4 + [True, True])

    def test_name_is_what_trl_logs(self):
        self.assertEqual(rk.TRLRewardFunc(S.url("a")).__name__, "rewardkit")
        f = rk.TRLRewardFunc(S.url("a"), name="math_reward")
        self.assertEqual(f.__name__, "math_reward")
        self.assertTrue(callable(f))

    def test_abstain_and_error_values(self):
        prompts, completions, kwargs = standard_call()
        f = rk.TRLRewardFunc(S.url("a"), reference_column="solution", abstain_value=0.0, error_value=-1.0)
        out = f(prompts=prompts, completions=completions, **kwargs)
        self.assertEqual(out[4:], [0.0, -1.0])

    def test_sharded_over_two_servers(self):
        prompts, completions, kwargs = standard_call()
        f = rk.TRLRewardFunc([S.url("a"), S.url("b")], reference_column="solution")
        out = f(prompts=prompts, completions=completions, **kwargs)
        self.assertEqual([x is None for x in out], [False] * 4 + [True, True])
        self.assertAlmostEqual(out[1], 0.2)
        self.assertEqual([replica_of(r) for r in f.last_results], ["replica_a"] * 3 + ["replica_b"] * 3)

    def test_pickles_like_ray_and_accelerate_need(self):
        prompts, completions, kwargs = standard_call()
        f = pickle.loads(pickle.dumps(rk.TRLRewardFunc(S.url("a"), reference_column="solution", name="rk_math")))
        self.assertEqual(f.__name__, "rk_math")
        self.assertAlmostEqual(f(prompts=prompts, completions=completions, **kwargs)[0], 1.0)


class TRLConversational(unittest.TestCase):
    def test_message_lists(self):
        system = {"role": "system", "content": "Answer in <think></think><answer></answer>."}
        prompts = [
            [system, {"role": "user", "content": "Natalia sold 48 clips in April and half as many in May. How many in all?"}]
        ] * 2
        completions = [
            [{"role": "assistant", "content": answer(72, "48 + 24 = 72")}],
            [{"role": "assistant", "content": answer(70, "48 + 22")}],
        ]
        with StandIn([], upstream=S.url("a")) as s:
            f = rk.TRLRewardFunc(s.url, reference_column="answer")
            out = f(prompts=prompts, completions=completions, completion_ids=[[5], [6]], answer=["72", "72"],
                    trainer_state=TrainerState())
            [body] = s.bodies("/v1/score")
        self.assertAlmostEqual(out[0], 1.0)
        self.assertAlmostEqual(out[1], 0.2)
        self.assertEqual(body["samples"][0]["prompt"], prompts[0])
        self.assertEqual(body["samples"][0]["completion"], completions[0])


class TRLMapping(unittest.TestCase):
    def test_missing_reference_column_names_the_columns(self):
        prompts, completions, kwargs = standard_call()
        f = rk.TRLRewardFunc(S.url("a"))  # default column "reference" is not in this dataset
        with self.assertRaises(ValueError) as cm:
            f(prompts=prompts, completions=completions, **kwargs)
        self.assertIn("solution", str(cm.exception))

    def test_no_reference_column(self):
        prompts, completions, kwargs = standard_call()
        f = rk.TRLRewardFunc(S.url("a"), reference_column=None)
        samples = f.samples(prompts, completions, **kwargs)
        self.assertTrue(all("reference" not in s for s in samples))
        self.assertEqual(samples[0]["solution"], "12")  # then it is plain metadata
        # This spec needs a reference: every result is an error, so every reward is None (not 0).
        self.assertEqual(f(prompts=prompts, completions=completions, **kwargs), [None] * 6)

    def test_explicit_metadata_columns(self):
        prompts, completions, kwargs = standard_call()
        f = rk.TRLRewardFunc(S.url("a"), reference_column="solution", metadata_columns=[], send_prompt=False)
        self.assertEqual(f.samples(prompts, completions, **kwargs)[0], {"completion": answer(12), "reference": "12"})
        f = rk.TRLRewardFunc(S.url("a"), reference_column="solution", metadata_columns=["image"])
        with self.assertRaises(TypeError):
            f.samples(prompts, completions, **kwargs)
        f = rk.TRLRewardFunc(S.url("a"), reference_column="solution", metadata_columns=["nope"])
        with self.assertRaises(ValueError):
            f.samples(prompts, completions, **kwargs)

    def test_misaligned_lists(self):
        f = rk.TRLRewardFunc(S.url("a"), reference_column="solution")
        with self.assertRaises(ValueError):
            f(prompts=["p"], completions=["a", "b"], solution=["1", "2"])
        with self.assertRaises(ValueError):
            f(prompts=["p", "p"], completions=["a", "b"], solution=["1"])


if __name__ == "__main__":
    unittest.main()
