"""Tests of heavyjobs_worker.py: each starts the worker as a subprocess and plays the monitor by hand.

Run from the repository root:  python3 -m unittest discover -s workers/python -v

Every read has a deadline (select), so a broken worker fails a test instead of hanging it.
"""

import json
import os
import select
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "heavyjobs_worker.py")
HEARTBEAT_MS = 200
STATES = {"idle", "busy", "stopping"}


class Monitor:
    """The monitor's side of one worker process."""

    def __init__(self, test, script=WORKER, types="py.squares", heartbeat_ms=HEARTBEAT_MS, idle_heartbeat_ms=None):
        self.test = test
        env = dict(os.environ)
        env.update(HEAVYJOBS_WORKER_ID="42", HEAVYJOBS_TYPES=types, HEAVYJOBS_HEARTBEAT_MS=str(heartbeat_ms))
        if idle_heartbeat_ms is not None:
            env["HEAVYJOBS_IDLE_HEARTBEAT_MS"] = str(idle_heartbeat_ms)
        env.pop("PYTHONSTARTUP", None)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, env=env, cwd=HERE)
        self.fd = self.proc.stdout.fileno()
        self.buf = b""
        self.eof = False
        self.messages = []
        self.heartbeats = []
        test.addCleanup(self.close)

    # ---- plumbing -----------------------------------------------------------------------------------------

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(5)
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        self.stderr.close()

    def log(self):
        self.stderr.seek(0)
        return "\n--- worker stderr ---\n" + self.stderr.read().decode("utf-8", "replace")[-4000:]

    def send(self, msg):
        line = msg if isinstance(msg, str) else json.dumps(msg)
        self.proc.stdin.write(line.encode("utf-8") + b"\n")
        self.proc.stdin.flush()

    def close_stdin(self):
        self.proc.stdin.close()

    def read(self, timeout):
        """The next message (heartbeats included), None on timeout, "EOF" when stdout closed."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            if self.eof:
                self.test.assertEqual(self.buf, b"", "partial line at the end of stdout" + self.log())
                return "EOF"
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if not ready:
                return None
            data = os.read(self.fd, 65536)
            if not data:
                self.eof = True
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        try:
            msg = json.loads(line)
        except ValueError:
            self.test.fail(f"worker wrote a non-JSON line to stdout: {line!r}" + self.log())
        self.test.assertIsInstance(msg, dict, f"not a JSON object: {line!r}")
        self.test.assertIn("type", msg)
        self.messages.append(msg)
        if msg["type"] == "heartbeat":
            self.check_heartbeat(msg)
        return msg

    def check_heartbeat(self, hb):
        t = self.test
        t.assertIn(hb.get("state"), STATES, hb)
        t.assertIsInstance(hb.get("chunks"), list, hb)
        for key in ("items", "good", "bad", "checkpoints"):
            t.assertIsInstance(hb.get(key), int, hb)
            t.assertGreaterEqual(hb[key], 0, hb)
        t.assertLessEqual(hb["good"] + hb["bad"], hb["items"], hb)
        t.assertNotIn("samples", hb, "a proxy worker leaves samples out")
        if self.heartbeats:  # totals since start never go back
            prev = self.heartbeats[-1]
            for key in ("items", "good", "bad", "checkpoints"):
                t.assertGreaterEqual(hb[key], prev[key], (prev, hb))
        self.heartbeats.append(hb)

    def expect(self, kind, timeout=3.0):
        """The next message that is not a heartbeat (unless a heartbeat is asked for); it must be `kind`."""
        deadline = time.monotonic() + timeout
        while True:
            msg = self.read(max(0.0, deadline - time.monotonic()))
            if msg is None:
                self.test.fail(f"no {kind!r} within {timeout} s" + self.log())
            if msg == "EOF":
                self.test.fail(f"stdout closed while waiting for {kind!r}" + self.log())
            if msg["type"] == "heartbeat" and kind != "heartbeat":
                continue
            self.test.assertEqual(msg["type"], kind, f"{msg}" + self.log())
            return msg

    def heartbeat(self, state, timeout=2.0):
        """The next heartbeat in `state` (earlier heartbeats may still be in the pipe); nothing else may come."""
        deadline = time.monotonic() + timeout
        while True:
            hb = self.expect("heartbeat", max(0.0, deadline - time.monotonic()))
            if hb["state"] == state:
                return hb

    def expect_quiet(self, window):
        """Nothing but heartbeats arrives for `window` seconds."""
        deadline = time.monotonic() + window
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            msg = self.read(remaining)
            if msg is None:
                return
            if msg == "EOF":
                self.test.fail("stdout closed" + self.log())
            self.test.assertEqual(msg["type"], "heartbeat", f"expected silence, got {msg}" + self.log())

    def expect_exit(self, timeout, code=0):
        """Reads stdout to its end (expecting only heartbeats and bye) and waits for the exit code."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            msg = self.read(max(0.0, deadline - time.monotonic()))
            if msg is None:
                self.test.fail(f"worker still running after {timeout} s" + self.log())
            if msg != "EOF":
                self.test.assertIn(msg["type"], ("heartbeat", "bye"), f"{msg}" + self.log())
        try:
            rc = self.proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.test.fail(f"worker closed stdout but did not exit within {timeout} s" + self.log())
        self.test.assertEqual(rc, code, self.log())

    # ---- protocol steps -----------------------------------------------------------------------------------

    def hello(self):
        msg = self.expect("hello")
        self.test.assertEqual(msg["protocol"], 1)
        self.test.assertIs(msg["proxy"], True)
        self.test.assertIsInstance(msg["version"], str)
        return msg

    def claim(self, chunks):
        msg = self.expect("claim")
        self.test.assertEqual(msg["max"], 1, msg)
        self.test.assertIsInstance(msg["seq"], int, msg)
        self.send({"type": "chunks", "seq": msg["seq"], "chunks": chunks})
        return msg

    def checkpoint(self, outcome="committed"):
        msg = self.expect("checkpoint")
        for key in ("seq", "chunkId", "epoch", "cursor", "done", "good", "bad", "outputs", "emit", "fresh", "complete"):
            self.test.assertIn(key, msg)
        self.send({"type": "ack", "seq": msg["seq"], "outcome": outcome})
        return msg

    def ack(self, kind, outcome="committed"):
        msg = self.expect(kind)
        self.send({"type": "ack", "seq": msg["seq"], "outcome": outcome})
        return msg

    def stop(self, grace_ms=5000):
        self.send({"type": "stop", "graceMs": grace_ms})

    def stop_idle_and_exit(self):
        """From idle (an empty claim answered): stop, bye, exit 0."""
        self.stop()
        bye = self.expect("bye")
        self.test.assertEqual(bye["reason"], "stopped")
        self.expect_exit(3)


def chunk(cid=7, start=0, end=250, cursor=None, done=0, good=0, bad=0, epoch=1, **parameters):
    return {"id": cid, "jobId": 2, "stage": 0, "type": "py.squares", "epoch": epoch,
            "input": {"start": start, "end": end}, "cursor": cursor, "done": done, "good": good, "bad": bad,
            "attempts": 0, "parameters": parameters}


class WorkerProtocolTests(unittest.TestCase):

    def assert_outputs(self, checkpoints, numbers):
        keys = [o["key"] for cp in checkpoints for o in cp["outputs"]]
        self.assertEqual(sorted(keys, key=int), [str(n) for n in numbers])
        self.assertEqual(len(keys), len(set(keys)), "an output was sent twice")
        for cp in checkpoints:
            for o in cp["outputs"]:
                self.assertEqual(o["data"], str(int(o["key"]) ** 2))

    def test_chunk_runs_with_checkpoints_and_completes(self):
        m = Monitor(self)
        hello = m.hello()
        self.assertEqual(hello["types"], ["py.squares"])
        m.claim([chunk(every=100)])
        cps = [m.checkpoint() for _ in range(3)]
        self.assertEqual([c["cursor"] for c in cps], ["100", "200", "250"])
        self.assertEqual([c["complete"] for c in cps], [False, False, True])
        self.assertEqual([(c["done"], c["good"], c["bad"]) for c in cps], [(100, 100, 0), (200, 200, 0), (250, 250, 0)])
        self.assertEqual([len(c["outputs"]) for c in cps], [100, 100, 50])
        for c in cps:
            self.assertEqual((c["chunkId"], c["epoch"], c["emit"]), (7, 1, []))
        self.assert_outputs(cps, range(250))
        seqs = [c["seq"] for c in cps]
        self.assertEqual(len(set(seqs)), 3)
        m.claim([])
        # the state change to idle is reported at once, with the totals
        hb = m.heartbeat("idle", timeout=1)
        self.assertEqual(hb["chunks"], [])
        self.assertEqual((hb["items"], hb["good"], hb["bad"], hb["checkpoints"]), (250, 250, 0, 3))
        m.stop_idle_and_exit()

    def test_resumed_chunk_sends_absolute_counters(self):
        m = Monitor(self)
        m.hello()
        m.claim([chunk(cursor="120", done=120, good=110, bad=10, every=100)])
        cps = [m.checkpoint() for _ in range(2)]
        self.assertEqual([c["cursor"] for c in cps], ["220", "250"])
        self.assertEqual([(c["done"], c["good"], c["bad"]) for c in cps], [(220, 210, 10), (250, 240, 10)])
        self.assert_outputs(cps, range(120, 250))
        m.claim([])
        m.stop_idle_and_exit()

    def test_lost_checkpoint_drops_the_chunk_and_claims_again(self):
        m = Monitor(self)
        m.hello()
        m.claim([chunk(every=100)])
        first = m.checkpoint("lost")
        self.assertEqual(first["cursor"], "100")
        # no more checkpoints, no fail, no release for the lost chunk: the next request is a claim
        m.claim([chunk(cursor="100", done=100, good=100, epoch=2, every=100)])
        cps = [m.checkpoint() for _ in range(2)]
        self.assertEqual([(c["cursor"], c["epoch"], c["done"], c["complete"]) for c in cps],
                         [("200", 2, 200, False), ("250", 2, 250, True)])
        self.assert_outputs(cps, range(100, 250))
        m.claim([])
        hb = m.heartbeat("idle", timeout=1)
        # the lost work counts as done by the worker, but its checkpoint does not
        self.assertEqual((hb["items"], hb["checkpoints"]), (250, 2))
        m.stop_idle_and_exit()

    def test_lost_on_completion_drops_the_chunk(self):
        m = Monitor(self)
        m.hello()
        m.claim([chunk(end=50, every=100)])
        cp = m.checkpoint("lost")
        self.assertEqual((cp["cursor"], cp["complete"], cp["done"]), ("50", True, 50))
        m.claim([])
        m.stop_idle_and_exit()

    def test_yield_releases_the_chunk(self):
        m = Monitor(self)
        m.hello()
        m.claim([chunk(every=100)])
        m.checkpoint("yield")
        release = m.ack("release")
        self.assertEqual((release["chunkId"], release["epoch"]), (7, 1))
        m.claim([])
        m.stop_idle_and_exit()

    def test_empty_claim_sleeps_until_wake(self):
        m = Monitor(self)
        m.hello()
        m.claim([])
        # garbage from the monitor is logged and ignored
        for junk in ("this is not json", "{\"type\":", "[1,2,3]", "{\"no\":\"type\"}",
                     "{\"type\":\"ack\",\"seq\":999,\"outcome\":\"committed\"}", ""):
            m.send(junk)
        m.expect_quiet(0.8)  # no claim without a wake (and no busy polling)
        m.send({"type": "wake"})
        m.claim([chunk(end=3)])
        cp = m.checkpoint()
        self.assertEqual((cp["cursor"], cp["complete"]), ("3", True))
        m.claim([])
        m.expect_quiet(0.3)
        m.stop_idle_and_exit()
        self.assertIn("malformed", m.log())

    def test_stop_while_busy_checkpoints_releases_and_says_bye(self):
        m = Monitor(self)
        m.hello()
        m.claim([chunk(end=100000, every=10, sleepMs=5)])
        first = m.checkpoint()
        self.assertEqual(first["cursor"], "10")
        before = len(m.heartbeats)
        m.stop(grace_ms=5000)
        # the handler checkpoints what it did since (unless it did nothing), then the worker releases
        last = first
        while True:
            msg = m.read(3)
            self.assertNotIn(msg, (None, "EOF"), m.log())
            if msg["type"] == "heartbeat":
                continue
            self.assertIn(msg["type"], ("checkpoint", "release"), msg)
            m.send({"type": "ack", "seq": msg["seq"], "outcome": "committed"})
            if msg["type"] == "release":
                break
            self.assertFalse(msg["complete"])
            last = msg
        self.assertEqual((msg["chunkId"], msg["epoch"]), (7, 1))
        self.assertGreaterEqual(int(last["cursor"]), 10)
        self.assertEqual(last["done"], int(last["cursor"]))
        bye = m.expect("bye")
        self.assertEqual(bye["reason"], "stopped")
        m.expect_exit(3)
        # the state change was reported at once (a periodic busy heartbeat may have crossed the stop)
        states = [h["state"] for h in m.heartbeats[before:]]
        self.assertIn("stopping", states, m.heartbeats)
        self.assertNotIn("busy", states[states.index("stopping"):])
        self.assertNotIn("claim", [x["type"] for x in m.messages[m.messages.index(first):]])

    def test_stop_grace_runs_out(self):
        # a handler that ignores stopping is abandoned after graceMs
        script = self.helper_script("""
            import time
            def stubborn(ctx):
                ctx.checkpoint("started")
                time.sleep(30)
            main({"py.stubborn": stubborn})
        """)
        m = Monitor(self, script=script, types="py.stubborn")
        m.hello()
        m.claim([dict(chunk(), type="py.stubborn")])
        m.checkpoint()  # the handler runs
        started = time.monotonic()
        m.stop(grace_ms=500)
        bye = m.expect("bye")
        self.assertEqual(bye["reason"], "stopped")
        self.assertGreaterEqual(time.monotonic() - started, 0.4)
        m.expect_exit(2)

    def test_eof_while_busy_exits_at_once(self):
        m = Monitor(self)
        m.hello()
        m.claim([chunk(end=100000, every=1000000, sleepMs=50)])
        hb = m.heartbeat("busy", timeout=1)
        self.assertEqual(hb["chunks"], [7])
        started = time.monotonic()
        m.close_stdin()
        m.expect_exit(3)
        self.assertLess(time.monotonic() - started, 3)

    def test_eof_while_waiting_for_an_ack_exits_at_once(self):
        m = Monitor(self)
        m.hello()
        m.claim([chunk(every=100)])
        m.expect("checkpoint")  # never answered
        started = time.monotonic()
        m.close_stdin()
        m.expect_exit(3)
        self.assertLess(time.monotonic() - started, 3)

    def test_heartbeats_are_periodic_and_sane(self):
        m = Monitor(self)
        m.hello()
        m.claim([chunk(end=30, every=10, sleepMs=20)])
        for _ in range(3):
            m.checkpoint()
        m.claim([])
        count = len(m.heartbeats)
        m.expect_quiet(1.0)
        self.assertGreaterEqual(len(m.heartbeats) - count, 3, "heartbeats every 200 ms while idle")
        states = [h["state"] for h in m.heartbeats]
        self.assertIn("busy", states)
        self.assertEqual(states[-1], "idle")
        busy = [h for h in m.heartbeats if h["state"] == "busy"]
        self.assertTrue(all(h["chunks"] in ([7], []) for h in busy), busy)
        last = m.heartbeats[-1]
        self.assertEqual((last["items"], last["good"], last["bad"], last["checkpoints"], last["chunks"]),
                         (30, 30, 0, 3, []))
        # uncommitted work counts in the totals: a slow chunk with no checkpoint yet
        m.send({"type": "wake"})
        m.claim([chunk(cid=8, end=1000, every=100000, sleepMs=10)])
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            hb = m.expect("heartbeat", timeout=1)
            if hb["items"] > 30:
                break
        self.assertGreater(hb["items"], 30)
        self.assertEqual((hb["state"], hb["chunks"], hb["checkpoints"]), ("busy", [8], 3))
        m.close_stdin()
        m.expect_exit(3)

    def test_idle_heartbeats_come_at_the_idle_period_busy_ones_at_the_busy_period(self):
        m = Monitor(self, heartbeat_ms=100, idle_heartbeat_ms=1000)
        m.hello()
        m.claim([])
        m.heartbeat("idle", timeout=2)
        count = len(m.heartbeats)
        m.expect_quiet(2.5)
        # At the idle period two come in 2.5 s; at the busy period there would be about 25. A slow machine
        # only makes fewer.
        self.assertLessEqual(len(m.heartbeats) - count, 3, "an idle worker heartbeats at the idle period")
        # Busy: the state change is reported at once, then every 100 ms.
        m.send({"type": "wake"})
        m.claim([chunk(end=100, every=100000, sleepMs=20)])
        m.heartbeat("busy", timeout=2)
        count = len(m.heartbeats)
        m.expect_quiet(1.0)
        self.assertGreaterEqual(len(m.heartbeats) - count, 4, "a busy worker heartbeats at the busy period")
        m.close_stdin()
        m.expect_exit(3)

    def test_error_answer_to_a_checkpoint_fails_the_chunk(self):
        m = Monitor(self)
        m.hello()
        m.claim([chunk(every=100)])
        cp = m.expect("checkpoint")
        m.send({"type": "error", "seq": cp["seq"], "error": "database is locked"})
        fail = m.ack("fail")
        self.assertEqual((fail["chunkId"], fail["epoch"], fail["error"]), (7, 1, "MonitorError: database is locked"))
        claim = m.expect("claim")
        m.send({"type": "error", "seq": claim["seq"], "error": "store down"})
        m.claim([])  # it claims again (after a second) instead of giving up
        m.stop_idle_and_exit()

    def test_handler_error_fails_the_chunk(self):
        m = Monitor(self)
        m.hello()
        bad = chunk()
        bad["input"] = {"start": "x", "end": 3}
        m.claim([bad])
        fail = m.ack("fail")
        self.assertEqual((fail["chunkId"], fail["epoch"]), (7, 1))
        self.assertTrue(fail["error"].startswith("ValueError: "), fail)
        m.claim([])
        m.stop_idle_and_exit()

    def test_custom_handler_emits_and_stdout_stays_clean(self):
        script = self.helper_script("""
            import os, subprocess, sys
            def splitter(ctx):
                print("a print from the handler")            # must not reach the protocol stream
                os.write(1, b"a raw write to fd 1\\n")
                subprocess.run([sys.executable, "-c", "print('a child process')"], check=True)
                ctx.add(2, good=1, bad=1)
                ctx.output("k", {"n": ctx.input["n"]})
                ctx.emit(1, "py.next", {"n": ctx.input["n"] + 1}, "next-1")
                ctx.mark_fresh("key-%d" % ctx.input["n"])
                ctx.mark_attempted("tried-%d" % ctx.input["n"])
                if ctx.input["n"] == 1:
                    raise KeyError("boom")
            main({"py.split": splitter})
        """)
        m = Monitor(self, script=script, types="py.split")
        self.assertEqual(m.hello()["types"], ["py.split"])
        m.claim([dict(chunk(), type="py.split", input={"n": 0}, cursor="c0")])
        cp = m.checkpoint()
        self.assertEqual((cp["cursor"], cp["complete"], cp["done"], cp["good"], cp["bad"]), ("c0", True, 2, 1, 1))
        self.assertEqual(cp["outputs"], [{"key": "k", "data": '{"n":0}'}])
        self.assertEqual(cp["emit"], [{"stage": 1, "type": "py.next", "input": {"n": 1}, "key": "next-1"}])
        self.assertEqual(cp["fresh"], ["key-0", {"key": "tried-0", "refreshed": False}])
        m.claim([dict(chunk(cid=8), type="py.split", input={"n": 1})])
        fail = m.ack("fail")
        self.assertEqual(fail["error"], "KeyError: 'boom'")
        m.claim([])
        m.stop_idle_and_exit()
        log = m.log()
        for text in ("a print from the handler", "a raw write to fd 1", "a child process"):
            self.assertIn(text, log)

    def test_types_not_registered_exit_2(self):
        m = Monitor(self, types="py.squares,py.nope")
        m.expect_exit(3, code=2)
        self.assertEqual(m.messages, [])
        self.assertIn("py.nope", m.log())

    def helper_script(self, body):
        d = tempfile.mkdtemp()
        path = os.path.join(d, "helper_worker.py")
        with open(path, "w") as f:
            f.write(f"import sys\nsys.path.insert(0, {HERE!r})\nfrom heavyjobs_worker import *\n")
            f.write(textwrap.dedent(body))
        self.addCleanup(lambda: (os.remove(path), os.rmdir(d)))
        return path


if __name__ == "__main__":
    unittest.main()
