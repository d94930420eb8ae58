#!/usr/bin/env python3
"""A HeavyJobs worker in Python (standard library only) that speaks the worker protocol as a *proxy* worker.

See docs/worker-protocol.md. The monitor starts this script with HEAVYJOBS_WORKER_ID, HEAVYJOBS_TYPES,
HEAVYJOBS_HEARTBEAT_MS and HEAVYJOBS_IDLE_HEARTBEAT_MS in its environment and talks to it over stdin/stdout, one JSON object per line. The
worker never touches the store: it claims, checkpoints, fails and releases chunks through the monitor.

Library use::

    from heavyjobs_worker import Worker, Stopped, main

    def words(ctx):
        pos = int(ctx.cursor or 0)
        lines = ctx.input["lines"]
        while pos < len(lines):
            if ctx.stopping.is_set():          # asked to stop: save the progress, give the chunk back
                ctx.checkpoint(str(pos))
                raise Stopped()
            ctx.add(1, good=1)
            ctx.output(str(pos), str(len(lines[pos].split())))
            pos += 1
            if pos % 100 == 0 and pos < len(lines):
                ctx.checkpoint(str(pos))       # commits counters, outputs and emits; may raise LeaseLost/Yield
        return str(pos)                        # the cursor of the final, complete checkpoint

    if __name__ == "__main__":
        main({"py.words": words})

A handler ``handler(ctx)`` gets a :class:`ChunkContext`. When it returns, the worker sends the final checkpoint
with ``complete: true`` (cursor: the handler's return value if it returns one, else the last cursor), with
whatever was added, output and emitted since the last checkpoint. If it raises :class:`Stopped` or
:class:`Yield`, the worker releases the chunk (work not checkpointed is dropped); :class:`LeaseLost` drops the
chunk; any other exception fails it with ``"ExceptionType: message"``. Handlers should let these three
exceptions through (they derive from :class:`ChunkInterrupted`).

Standard output is the protocol channel: :meth:`Worker.run` moves it to a private file descriptor and points
fd 1 (and ``sys.stdout``) at standard error, so a stray ``print`` in a handler, or a child process it starts,
ends up in the log instead of corrupting the protocol. Standard input is likewise moved away (fd 0 becomes
/dev/null), so child processes cannot steal the monitor's messages.

Run as a script, it runs the built-in job type ``py.squares``.
"""

import io
import json
import logging
import os
import sys
import threading
import time

__all__ = [
    "Worker",
    "ChunkContext",
    "ChunkInterrupted",
    "LeaseLost",
    "Yield",
    "Stopped",
    "Disconnected",
    "MonitorError",
    "squares",
    "main",
]

__version__ = "1.0"
PROTOCOL = 1

DEFAULT_HEARTBEAT_MS = 1000
DEFAULT_GRACE_MS = 10000

log = logging.getLogger("heavyjobs.worker")


class ChunkInterrupted(Exception):
    """Base of the exceptions that end a handler on the worker's behalf; handlers should let them through."""


class LeaseLost(ChunkInterrupted):
    """The worker no longer holds the chunk: the checkpoint wrote nothing. The worker drops the chunk."""


class Yield(ChunkInterrupted):
    """The checkpoint was written, but the chunk's job was paused: the worker releases the chunk."""


class Stopped(ChunkInterrupted):
    """Raised by a handler that saw ``ctx.stopping`` set (after its checkpoint): the worker releases the chunk."""


class Disconnected(Exception):
    """The monitor is gone (end of input, or its end of the pipe closed): no answer will ever come."""


class MonitorError(Exception):
    """The monitor answered a request with ``{"type": "error"}`` (a bad request, a store hiccup). Raised by
    ``ctx.checkpoint``; if it escapes the handler, the worker fails the chunk (so it is retried later)."""


class _Slot:
    """One request waiting for its answer."""

    __slots__ = ("event", "answer")

    def __init__(self):
        self.event = threading.Event()
        self.answer = None


def _nonneg_int(value, name):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


class ChunkContext:
    """What a handler sees of the chunk it runs.

    Attributes: ``chunk_id``, ``job_id``, ``stage``, ``type``, ``epoch``, ``attempts``, ``input`` (the parsed
    JSON input), ``parameters`` (the job's parameters; ``{}`` when there are none), ``cursor`` (str or None: where
    the last checkpoint left off), ``stopping`` (a ``threading.Event`` set when the worker is asked to stop or
    the monitor goes away).
    """

    def __init__(self, worker, chunk):
        self._worker = worker
        self.chunk_id = chunk["id"]
        self.job_id = chunk.get("jobId")
        self.stage = chunk.get("stage", 0)
        self.type = chunk["type"]
        self.epoch = chunk["epoch"]
        self.attempts = chunk.get("attempts", 0)
        self.input = chunk.get("input")
        parameters = chunk.get("parameters")
        self.parameters = parameters if parameters is not None else {}
        cursor = chunk.get("cursor")
        self.cursor = None if cursor is None else str(cursor)
        self.stopping = worker.stopping
        self._lock = threading.Lock()
        # Absolute counters as of the last checkpoint (or the claim), and what was added since.
        self._committed = [int(chunk.get("done") or 0), int(chunk.get("good") or 0), int(chunk.get("bad") or 0)]
        self._pending = [0, 0, 0]
        self._outputs = []
        self._emits = []
        self._fresh = []
        self._lost = False
        self._yielded = False

    @property
    def counters(self):
        """The chunk's absolute ``(done, good, bad)``: committed plus added since the last checkpoint."""
        with self._lock:
            return tuple(c + p for c, p in zip(self._committed, self._pending))

    def add(self, done, good=0, bad=0):
        """Counts processed items; committed by the next checkpoint."""
        _nonneg_int(done, "done")
        _nonneg_int(good, "good")
        _nonneg_int(bad, "bad")
        with self._lock:
            self._pending[0] += done
            self._pending[1] += good
            self._pending[2] += bad
        self._worker._count(done, good, bad)

    def output(self, key, data):
        """Buffers an output record (committed by the next checkpoint). ``data`` that is not a str is JSON-encoded."""
        if not isinstance(key, str):
            raise TypeError(f"output key must be a str, not {type(key).__name__}")
        if not isinstance(data, str):
            data = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        with self._lock:
            self._outputs.append({"key": key, "data": data})

    def emit(self, stage, type, input, key):  # noqa: A002 - names as in the protocol
        """Buffers a chunk for a later stage of the job (``input`` is a JSON value; ``key`` dedupes it)."""
        _nonneg_int(stage, "stage")
        if not isinstance(type, str) or not isinstance(key, str):
            raise TypeError("emit type and key must be str")
        with self._lock:
            self._emits.append({"stage": stage, "type": type, "input": input, "key": key})

    def mark_fresh(self, key):
        """Records that a key of the job's key set was refreshed (committed by the next checkpoint)."""
        if not isinstance(key, str):
            raise TypeError(f"fresh key must be a str, not {type(key).__name__}")
        with self._lock:
            self._fresh.append(key)

    def mark_attempted(self, key):
        """Records that a key of the job's key set was tried without a fresh result: it stays due for the next
        refresh, but counts as this job's (committed by the next checkpoint)."""
        if not isinstance(key, str):
            raise TypeError(f"attempted key must be a str, not {type(key).__name__}")
        with self._lock:
            self._fresh.append({"key": key, "refreshed": False})

    def checkpoint(self, cursor):
        """Commits the cursor, the chunk's absolute counters and the buffered outputs and emits, and waits for the
        monitor's answer. Raises :class:`LeaseLost` (nothing was written) or :class:`Yield` (written, but the job
        was paused); let both through."""
        self._commit(cursor, complete=False)

    def _commit(self, cursor, complete):
        if self._lost:
            raise LeaseLost(f"chunk {self.chunk_id} was lost")
        if self._yielded:
            raise Yield(f"chunk {self.chunk_id} yields")
        if cursor is not None and not isinstance(cursor, str):
            cursor = str(cursor)
        with self._lock:
            pending = list(self._pending)
            done, good, bad = (c + p for c, p in zip(self._committed, pending))
            outputs = list(self._outputs)
            emits = list(self._emits)
            fresh = list(self._fresh)
        answer = self._worker._request({
            "type": "checkpoint",
            "chunkId": self.chunk_id,
            "epoch": self.epoch,
            "cursor": cursor,
            "done": done,
            "good": good,
            "bad": bad,
            "outputs": outputs,
            "emit": emits,
            "fresh": fresh,
            "complete": bool(complete),
        })
        if answer.get("type") == "error":
            raise MonitorError(str(answer.get("error") or "the monitor could not write the checkpoint"))
        outcome = answer.get("outcome") if answer.get("type") == "ack" else None
        if outcome in ("committed", "yield"):
            with self._lock:
                for i in range(3):
                    self._committed[i] += pending[i]
                    self._pending[i] -= pending[i]
                del self._outputs[:len(outputs)]
                del self._emits[:len(emits)]
                del self._fresh[:len(fresh)]
            self.cursor = cursor
            self._worker._count_checkpoint()
            if outcome == "yield" and not complete:
                self._yielded = True
                raise Yield(f"chunk {self.chunk_id} yields: its job was paused")
            return
        if outcome != "lost":
            log.warning("unexpected answer to checkpoint of chunk %s, taken as lost: %s", self.chunk_id, answer)
        self._lost = True
        raise LeaseLost(f"chunk {self.chunk_id} was lost")


class Worker:
    """A proxy worker: registers handlers by job type and runs the protocol loop.

    ``handlers`` maps job type to ``handler(ctx)``. ``env`` defaults to ``os.environ``. ``stdin``/``stdout``
    default to the process's standard streams (which :meth:`run` then moves out of the way of handlers); pass
    streams (binary or text) to run it over something else.
    """

    def __init__(self, handlers=None, *, env=None, stdin=None, stdout=None, version=__version__):
        self._handlers = dict(handlers or {})
        self._env = os.environ if env is None else env
        self._in = stdin
        self._out = stdout
        self._own_streams = stdin is None and stdout is None
        self.version = version
        self.worker_id = self._env.get("HEAVYJOBS_WORKER_ID", "")
        self.heartbeat_seconds = self._heartbeat_interval("HEAVYJOBS_HEARTBEAT_MS", DEFAULT_HEARTBEAT_MS / 1000.0)
        # While idle the worker holds nothing, and the monitor only needs to know it lives: less often.
        self.idle_heartbeat_seconds = self._heartbeat_interval("HEAVYJOBS_IDLE_HEARTBEAT_MS", self.heartbeat_seconds)

        self.stopping = threading.Event()  # stop asked, or the monitor is gone: handlers should wind up
        self._wake = threading.Event()  # wake, stop or end of input: the idle loop claims again (or ends)
        self._main = threading.Event()  # something the main thread must look at
        self._shutdown = threading.Event()  # the heartbeat timer ends
        self._rebeat = threading.Event()  # the state changed (and said so): the heartbeat period starts again
        self._work_done = threading.Event()

        self._lock = threading.Lock()  # counters, state, pending requests
        self._write_lock = threading.RLock()
        self._seq = 0
        self._pending = {}
        self._disconnected = False
        self._eof = False
        self._closed = False  # bye was sent: nothing more goes out
        self._stop_at = None
        self._grace = DEFAULT_GRACE_MS / 1000.0
        self._state = "idle"
        self._held = []
        self._items = self._good = self._bad = self._checkpoints = 0

    # ---- registration -------------------------------------------------------------------------------------

    def register(self, type_name, handler):
        """Registers ``handler(ctx)`` for the job type ``type_name``."""
        if not callable(handler):
            raise TypeError("handler must be callable")
        self._handlers[type_name] = handler
        return handler

    def handler(self, type_name):
        """Decorator form of :meth:`register`."""
        return lambda fn: self.register(type_name, fn)

    @property
    def types(self):
        """The job types to run: HEAVYJOBS_TYPES, or every registered type when it is unset or empty."""
        raw = self._env.get("HEAVYJOBS_TYPES", "")
        types = [t.strip() for t in raw.split(",") if t.strip()]
        return types or sorted(self._handlers)

    def _heartbeat_interval(self, name, default_seconds):
        raw = self._env.get(name)
        if raw is None or raw.strip() == "":
            return default_seconds
        try:
            ms = float(raw)
            if not ms > 0 or ms != ms or ms == float("inf"):
                raise ValueError(raw)
        except ValueError:
            log.warning("%s=%r is not a positive number; using %g ms", name, raw, default_seconds * 1000)
            return default_seconds
        return max(ms, 10.0) / 1000.0

    # ---- main loop ----------------------------------------------------------------------------------------

    def run(self):
        """Runs until stopped or the monitor goes away; returns the exit code (0 stopped / end of input, 1 the
        work loop failed, 2 bad configuration). Background threads are daemons: exit the process after it."""
        types = self.types
        unknown = [t for t in types if t not in self._handlers]
        if unknown:
            log.error("HEAVYJOBS_TYPES lists job types this worker does not run: %s (it runs: %s)",
                      ", ".join(unknown), ", ".join(sorted(self._handlers)) or "nothing")
            return 2
        if not types:
            log.error("no job types to run")
            return 2
        self._open_streams()
        log.info("worker %s (pid %d) runs %s, heartbeat every %g ms",
                 self.worker_id or "?", os.getpid(), ", ".join(types), self.heartbeat_seconds * 1000)
        try:
            self._send({"type": "hello", "version": self.version, "types": types, "protocol": PROTOCOL,
                        "proxy": True})
        except Disconnected:
            log.info("the monitor is gone before hello")
            return 0

        for name, target in (("reader", self._read_loop), ("heartbeat", self._heartbeat_loop),
                             ("work", self._work_loop)):
            threading.Thread(target=target, name=f"heavyjobs-{name}", daemon=True).start()

        code, reason = 0, "stopped"
        deadline = None
        while True:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            self._main.wait(timeout)
            self._main.clear()
            with self._lock:
                eof, stop_at, grace = self._eof, self._stop_at, self._grace
            if eof:
                # The monitor is gone: abandon whatever is in flight at once (its leases run out).
                log.info("end of input: exiting now")
                reason = "eof"
                break
            if self._work_done.is_set():
                if stop_at is None:
                    log.error("the work loop ended without a stop")
                    code, reason = 1, "error"
                break
            if stop_at is not None:
                deadline = stop_at + grace
                if time.monotonic() >= deadline:
                    log.warning("grace period of %g ms over: abandoning chunk(s) %s", grace * 1000, self._held)
                    break
        self._shutdown.set()
        self._rebeat.set()
        self._bye(reason)
        return code

    def _open_streams(self):
        if self._own_streams:
            try:
                sys.stdout.flush()
            except (OSError, ValueError):
                pass
            out_fd = os.dup(1)  # non-inheritable: children never hold the protocol pipe
            os.dup2(2, 1)
            in_fd = os.dup(0)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.close(devnull)
            sys.stdout = sys.stderr
            self._out = os.fdopen(out_fd, "wb")
            self._in = os.fdopen(in_fd, "rb")
        else:
            if self._in is None:
                self._in = sys.stdin.buffer
            if self._out is None:
                self._out = sys.stdout.buffer

    # ---- output -------------------------------------------------------------------------------------------

    def _send(self, msg):
        line = json.dumps(msg, separators=(",", ":"), ensure_ascii=False) + "\n"
        with self._write_lock:
            if self._closed:
                raise Disconnected("bye was sent")
            try:
                if isinstance(self._out, io.TextIOBase):
                    self._out.write(line)
                else:
                    self._out.write(line.encode("utf-8"))
                self._out.flush()
            except (OSError, ValueError) as e:  # broken pipe, closed file
                failed = e
            else:
                return
        log.info("cannot write to the monitor (%s): it is gone", failed)
        self._on_eof()
        raise Disconnected(str(failed))

    def _bye(self, reason):
        try:
            self._send({"type": "bye", "reason": reason})
        except Disconnected:
            pass
        with self._write_lock:
            self._closed = True

    def _status(self):
        with self._lock:
            return {"type": "heartbeat", "state": self._state, "chunks": list(self._held), "items": self._items,
                    "good": self._good, "bad": self._bad, "checkpoints": self._checkpoints}

    def _heartbeat(self):
        try:
            with self._write_lock:  # built and written in one go: a stale state never overtakes a newer one
                self._send(self._status())
        except Disconnected:
            pass

    def _heartbeat_loop(self):
        while not self._shutdown.is_set():
            with self._lock:
                idle = self._state == "idle"
            self._rebeat.wait(self.idle_heartbeat_seconds if idle else self.heartbeat_seconds)
            if self._shutdown.is_set():
                return
            if self._rebeat.is_set():
                # A state change was just reported: that was this period's heartbeat.
                self._rebeat.clear()
                continue
            self._heartbeat()

    def _set_state(self, state):
        with self._lock:
            if self._state == state or self._state == "stopping":
                return
            self._state = state
        self._heartbeat()
        self._rebeat.set()

    def _count(self, done, good, bad):
        with self._lock:
            self._items += done
            self._good += good
            self._bad += bad

    def _count_checkpoint(self):
        with self._lock:
            self._checkpoints += 1

    # ---- requests -----------------------------------------------------------------------------------------

    def _request(self, body):
        """Sends a proxy request and waits for the answer with its seq; raises Disconnected if none can come."""
        slot = _Slot()
        with self._lock:
            if self._disconnected:
                raise Disconnected("the monitor is gone")
            self._seq += 1
            seq = self._seq
            self._pending[seq] = slot
        msg = {"type": body["type"], "seq": seq}
        msg.update((k, v) for k, v in body.items() if k != "type")
        try:
            self._send(msg)
        except Disconnected:
            with self._lock:
                self._pending.pop(seq, None)
            raise
        slot.event.wait()
        if slot.answer is None:
            raise Disconnected("the monitor is gone")
        return slot.answer

    # ---- input --------------------------------------------------------------------------------------------

    def _read_loop(self):
        try:
            while True:
                line = self._in.readline()
                if not line:
                    break
                try:
                    self._handle_line(line)
                except Exception:  # never let one message end the reader
                    log.exception("error handling a message from the monitor")
        except Exception as e:
            log.warning("reading from the monitor failed: %s", e)
        finally:
            self._on_eof()

    def _handle_line(self, line):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError:
                log.warning("ignored a line from the monitor that is not UTF-8: %r", line[:200])
                return
        text = line.strip()
        if not text:
            return
        try:
            msg = json.loads(text)
        except ValueError:
            log.warning("ignored a malformed line from the monitor: %r", text[:200])
            return
        if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
            log.warning("ignored a line from the monitor that is not a message: %r", text[:200])
            return
        kind = msg["type"]
        if kind == "wake":
            self._wake.set()
            return
        if kind == "stop":
            self._on_stop(msg)
            return
        seq = msg.get("seq")
        if isinstance(seq, int) and not isinstance(seq, bool):
            with self._lock:
                slot = self._pending.pop(seq, None)
            if slot is not None:
                slot.answer = msg
                slot.event.set()
                return
        log.warning("ignored an unexpected message from the monitor: %r", text[:200])

    def _on_stop(self, msg):
        grace = msg.get("graceMs", DEFAULT_GRACE_MS)
        if isinstance(grace, bool) or not isinstance(grace, (int, float)) or not grace >= 0:
            log.warning("stop with a bad graceMs %r: using %d", grace, DEFAULT_GRACE_MS)
            grace = DEFAULT_GRACE_MS
        with self._lock:
            first = self._stop_at is None
            if first:
                self._stop_at = time.monotonic()
                self._grace = min(float(grace), 86400000.0) / 1000.0
        if first:
            log.info("stop: draining (grace %g ms)", grace)
        self.stopping.set()
        self._wake.set()
        self._set_state("stopping")
        self._main.set()

    def _on_eof(self):
        with self._lock:
            self._eof = True
            self._disconnected = True
            self._state = "stopping"
            slots = list(self._pending.values())
            self._pending.clear()
        for slot in slots:
            slot.event.set()  # answer None: Disconnected
        self.stopping.set()
        self._wake.set()
        self._main.set()

    # ---- work ---------------------------------------------------------------------------------------------

    def _work_loop(self):
        try:
            while not self.stopping.is_set():
                self._wake.clear()  # a wake from now on counts, even one that beats the claim's answer
                answer = self._request({"type": "claim", "max": 1})
                chunks = answer.get("chunks") if answer.get("type") == "chunks" else None
                if not isinstance(chunks, list):
                    log.warning("unexpected answer to claim, claiming again in a second: %s", answer)
                    self.stopping.wait(1.0)
                    continue
                if not chunks:
                    self._set_state("idle")
                    self._wake.wait()  # no work: sleep until wake, stop or end of input
                    continue
                for raw in chunks:
                    if self._well_formed(raw):
                        self._hold(raw["id"], True)
                self._set_state("busy")
                for raw in chunks:
                    self._process(raw)
        except Disconnected:
            pass
        except Exception:
            log.exception("the work loop failed")
        finally:
            self._work_done.set()
            self._main.set()

    def _hold(self, chunk_id, held):
        with self._lock:
            if held:
                self._held.append(chunk_id)
            elif chunk_id in self._held:
                self._held.remove(chunk_id)

    @staticmethod
    def _well_formed(raw):
        return isinstance(raw, dict) and isinstance(raw.get("type"), str) and "id" in raw and "epoch" in raw

    def _process(self, raw):
        if not self._well_formed(raw):
            log.error("ignored a malformed chunk in a claim answer: %r", raw)
            return
        chunk_id, epoch = raw["id"], raw["epoch"]
        try:
            if self.stopping.is_set():
                self._finish(chunk_id, epoch, "release", {})
                return
            handler = self._handlers.get(raw["type"])
            if handler is None:
                self._finish(chunk_id, epoch, "fail",
                             {"error": f"UnknownType: this worker does not run job type {raw['type']!r}"})
                return
            try:
                ctx = ChunkContext(self, raw)
            except (TypeError, ValueError) as e:
                self._finish(chunk_id, epoch, "fail", {"error": f"{type(e).__name__}: bad chunk: {e}"})
                return
            self._run_handler(handler, ctx)
        finally:
            self._hold(chunk_id, False)

    def _run_handler(self, handler, ctx):
        error = None
        result = None
        try:
            result = handler(ctx)
        except BaseException as e:  # noqa: BLE001 - a handler's SystemExit fails its chunk, not the worker
            error = e
        if self._disconnected or isinstance(error, Disconnected):
            raise Disconnected("the monitor is gone")
        if ctx._lost or isinstance(error, LeaseLost):
            log.info("chunk %s lost: dropped", ctx.chunk_id)
            return
        if ctx._yielded or isinstance(error, (Yield, Stopped)):
            self._finish(ctx.chunk_id, ctx.epoch, "release", {}, ctx.cursor)
            return
        if error is not None:
            log.error("chunk %s failed", ctx.chunk_id, exc_info=error)
            message = str(error)
            text = f"{type(error).__name__}: {message}" if message else type(error).__name__
            self._finish(ctx.chunk_id, ctx.epoch, "fail", {"error": text})
            return
        cursor = ctx.cursor if result is None else (result if isinstance(result, str) else str(result))
        try:
            ctx._commit(cursor, complete=True)
            log.info("chunk %s completed: %d items", ctx.chunk_id, ctx.counters[0])
        except LeaseLost:
            log.info("chunk %s lost at completion: dropped", ctx.chunk_id)
        except MonitorError as e:
            log.error("chunk %s: the monitor could not complete it: %s", ctx.chunk_id, e)
            self._finish(ctx.chunk_id, ctx.epoch, "fail", {"error": f"MonitorError: {e}"})

    def _finish(self, chunk_id, epoch, kind, fields, cursor=None):
        """Sends ``fail`` or ``release`` for a chunk and logs the outcome."""
        body = {"type": kind, "chunkId": chunk_id, "epoch": epoch}
        body.update(fields)
        answer = self._request(body)
        outcome = answer.get("outcome") if answer.get("type") == "ack" else answer
        if kind == "release":
            log.info("chunk %s released at %s: %s", chunk_id, cursor or "(start)", outcome)
        else:
            log.info("chunk %s failed (%s): %s", chunk_id, fields.get("error"), outcome)


# ---- the built-in job type ------------------------------------------------------------------------------------

def squares(ctx):
    """``py.squares``: input ``{"start": a, "end": b}``; outputs ``str(n) -> str(n*n)`` for n in [a, b).

    The cursor is the next n as a decimal string. Parameters: ``every`` (checkpoint every that many items,
    default 100), ``sleepMs`` (sleep per item, default 0, to make it slow). The checkpoint at the end is the
    worker's final, complete one: the handler returns its cursor.
    """
    spec = ctx.input
    if isinstance(spec, str):  # tolerate an input sent as JSON text
        spec = json.loads(spec)
    if not isinstance(spec, dict):
        raise ValueError(f"input must be an object with start and end, not {spec!r}")
    start, end = int(spec["start"]), int(spec["end"])
    params = ctx.parameters if isinstance(ctx.parameters, dict) else {}
    every = max(1, int(params.get("every", 100)))
    pause = max(0.0, float(params.get("sleepMs", 0))) / 1000.0
    n = int(ctx.cursor) if ctx.cursor is not None else start
    since = 0
    while n < end:
        if ctx.stopping.is_set():
            if since:
                ctx.checkpoint(str(n))
            raise Stopped()
        if pause:
            ctx.stopping.wait(pause)
        ctx.add(1, good=1)
        ctx.output(str(n), str(n * n))
        n += 1
        since += 1
        if since >= every and n < end:
            ctx.checkpoint(str(n))
            since = 0
    return str(n)


HANDLERS = {"py.squares": squares}


def main(handlers=None):
    """Runs a worker with ``handlers`` (default: the built-in ones) and exits the process with its code."""
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s %(levelname)s [%(threadName)s] %(message)s")
    try:
        code = Worker(HANDLERS if handlers is None else handlers).run()
    except Exception:
        log.exception("the worker failed")
        code = 1
    logging.shutdown()
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    # Not sys.exit: a handler thread still running (abandoned after the grace period or at end of input) must
    # neither delay the exit nor hold a stream lock during interpreter shutdown.
    os._exit(code)


if __name__ == "__main__":
    main()
