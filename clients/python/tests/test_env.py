"""MLGymEnv against a real mlgymd (MLGYM_TEST_SOCKET): a small agent loop written against
MLGym's environment interface solves the Prisoner's Dilemma by replaying its actions."""

from __future__ import annotations

import unittest

import support
from support import requires_daemon

from mlgym_client import InvalidState, NotFound, SessionStopped
from mlgym_client.env import MLGymEnv

TASK = "prisonersDilemma"
MLGYM_INFO_KEYS = {"model_stats", "exit_status", "submission", "score", "summarizer"}

# Always defect: against this opponent (a mixture of eleven classic strategies, drawn anew
# each round) it earns about 2.62 per round; the baseline earns 2.37.
ALWAYS_DEFECT = "printf 'def row_strategy(history):\\n    return 1\\n' > strategy.py"


class ReplayAgent:
    """The smallest agent: its 'model' answers with the next of a fixed list of actions."""

    def __init__(self, actions):
        self.actions = list(actions)
        self.trajectory = []

    def run(self, env, observation, max_steps=20):
        """MLGym's loop: step until done; returns the info of the last step."""
        info = {}
        for action in self.actions[:max_steps]:
            observation, reward, done, info = env.step(action)
            self.trajectory.append({"action": action, "observation": observation, "reward": reward, "done": done, "info": info})
            if done:
                break
        return info


@requires_daemon
class EnvTests(unittest.TestCase):
    def make_env(self, **options):
        env = MLGymEnv(TASK, client=support.client(), remove_on_close=True, **options)
        self.addCleanup(env.close)
        return env

    def test_an_agent_loop_solves_the_prisoners_dilemma_by_replay(self) -> None:
        env = self.make_env()
        observation, info = env.reset()
        self.assertEqual(observation, {"observation": None})
        self.assertEqual(info["task"], TASK)
        self.assertIn("row_strategy", info["description"])
        session = info["session"]
        self.assertEqual(env.client.session(session)["state"], "running")
        baseline = info["baseline"]["Score"]

        agent = ReplayAgent(["cat target.py", ALWAYS_DEFECT, "validate", "submit", "echo never reached"])
        final = agent.run(env, observation["observation"])
        steps = agent.trajectory
        self.assertEqual(len(steps), 4, "submit ends the episode")
        self.assertIn("def target_column_strategy", steps[0]["observation"])
        for step in steps:
            self.assertEqual(set(step["info"]), MLGYM_INFO_KEYS)
            self.assertEqual(step["reward"], 0)
        self.assertEqual([s["done"] for s in steps], [False, False, False, True])

        validated = steps[2]
        self.assertIn("Evaluation Score", validated["observation"])
        self.assertEqual(validated["info"]["exit_status"], "")
        self.assertEqual(len(validated["info"]["score"]), 1)
        score = validated["info"]["score"][0]["Score"]
        self.assertGreater(score, baseline + 0.1, "always defecting beats the baseline")

        self.assertEqual(steps[3]["observation"], "Exited (submit)")
        self.assertEqual(final["exit_status"], "submitted")
        self.assertTrue(final["submission"].endswith("/strategy.py"), final["submission"])
        self.assertEqual(final["score"], [{"Score": score}])
        self.assertEqual((env.done, env.exit_status), (True, "submitted"))
        listing = env.evaluations()
        self.assertTrue(listing["submitted"])
        self.assertEqual([e["kind"] for e in listing["evaluations"]], ["validate", "submit"])

        with self.assertRaises(InvalidState):
            env.step("ls")  # the episode is over
        env.close()
        with self.assertRaises(NotFound):
            env.client.session(session)  # removed (remove_on_close)

    def test_validate_and_submit_inside_a_longer_command_line_count_too(self) -> None:
        env = self.make_env(max_steps=10)
        env.reset()
        observation, _, done, info = env.step(f"{ALWAYS_DEFECT} && validate")
        self.assertFalse(done)
        self.assertIn("Evaluation Score", observation)
        self.assertEqual(len(info["score"]), 1)
        observation, _, done, info = env.step("cd /home/agent/workspace && submit")
        self.assertTrue(done)
        self.assertEqual(info["exit_status"], "submitted")
        self.assertEqual(len(info["score"]), 1)

    def test_running_out_of_steps_autosubmits(self) -> None:
        env = self.make_env(max_steps=2)
        env.reset()
        self.assertFalse(env.step(ALWAYS_DEFECT)[2])
        self.assertFalse(env.step("true")[2])
        observation, _, done, info = env.step("ls")
        self.assertTrue(done)
        self.assertEqual(observation, "Exited (max_steps)")
        self.assertEqual(info["exit_status"], "autosubmission (max_steps)")
        self.assertEqual(len(info["score"]), 1)
        self.assertTrue(env.evaluations()["submitted"])

    def test_episode_endings_without_an_artefact_or_an_evaluation(self) -> None:
        env = self.make_env()
        env.reset()
        env.step("rm strategy.py")
        observation, _, done, info = env.step("exit_cost")
        self.assertEqual((done, info["exit_status"], info["submission"]), (True, "submission_not_found (exit_cost)", None))
        env.reset()  # a fresh session on the same task
        observation, _, done, info = env.step("skip")
        self.assertEqual((observation, done, info["exit_status"]), ("Skipped", True, "skipped"))
        self.assertEqual(env.evaluations()["evaluations"], [])
        env.reset()
        observation, _, done, info = env.step("exit_forfeit")
        self.assertEqual((done, info["exit_status"]), (True, "exit_forfeit"))

    def test_a_session_stopped_under_the_env_raises_session_stopped(self) -> None:
        env = self.make_env()
        env.reset()
        env.client.stop_session(env.session_id)
        with self.assertRaises(SessionStopped):
            env.step("ls")


if __name__ == "__main__":
    unittest.main()
