"""Worker processes: batches of tiles checked (or fixed) in parallel, each worker a forked copy of tilekit.

A pool is a few forked processes, each with a pipe for orders and a pipe for results, every message one
length-prefixed pickle. The main process sends a worker its next batch when the last one's results arrive, so the
results come back in the order of the batches whatever the workers' speeds. (concurrent.futures would cost ~20 ms
of imports and start-up on the main process's path, and its workers would each start cold.)

Warm start. Checking imports ~45 ms of libraries on first use (the checks, mistune, PyYAML, Pillow's plugins), and
each worker would pay it again. So the console script calls ``prepare()`` for ``tilekit validate`` before it even
imports click: one worker is forked there and imports all that while the main process starts up and finds the
tiles; the other workers are forked from it when the work is known, and start warm too. A run that needs no workers
(one tile, ``--jobs 1``, every tile remembered) never sends it anything: it leaves when tilekit does.

Workers form their own process group: Ctrl-C at the terminal reaches only the main process, which ends them all
with one SIGTERM. A busy worker then runs its clean-up (a fix's temporary file removed) before it leaves.
Where processes cannot be forked (Windows), the batches are worked through in the main process.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
from collections.abc import Callable, Iterable
from typing import Any, NoReturn, TypeVar

from toolkit.interrupt import checkpoint

T = TypeVar("T")
Work = Callable[[list[Any]], list[T]]

_HEADER = struct.Struct("<Q")
_MAX_WARM = 64  # order/result pipes made ahead for the warm pool: one pair per worker it may fork


class WorkerLost(Exception):
    """A batch a worker did not finish: its process ended first, or the batch raised an exception (named here)."""


class _Slot:
    """The main process's ends of one worker's pipes, and the batch that worker has now."""

    def __init__(self, orders: int, results: int) -> None:
        self.orders, self.results = orders, results
        self.batch: int | None = None

    def close(self) -> None:
        for fd in (self.orders, self.results):
            try:
                os.close(fd)
            except OSError:
                pass  # already closed


class _Pool:
    def __init__(self, slots: list[_Slot], group: int, children: list[int]) -> None:
        self.slots, self.group, self.children = slots, group, children

    def close(self) -> None:
        for slot in self.slots:
            slot.close()  # an idle worker reads the end of its orders and leaves


_warm: _Pool | None = None  # the pool prepare() started, until a run takes it


def available() -> bool:
    return hasattr(os, "fork")


def prepare() -> None:
    """Start the warm pool's first worker (see the module's docstring). Called before anything heavy is imported."""
    global _warm
    count = min(os.cpu_count() or 1, _MAX_WARM)
    if _warm is not None or count < 2 or not available():
        return
    pairs = _pipes(count)
    slots = [_Slot(orders[1], results[0]) for orders, results in pairs]
    ends = [(orders[0], results[1]) for orders, results in pairs]
    pid = _fork(0) if len(pairs) > 1 else None  # short of files (their limit), a warm start is not worth it
    if pid == 0:
        _child(_serve_warm, slots, ends)
    for fd in (fd for pair in ends for fd in pair):
        os.close(fd)
    if pid is None:
        _Pool(slots, 0, []).close()
    else:
        _warm = _Pool(slots, pid, [pid])


def run(work: Work[T], batches: list[list[Any]], jobs: int) -> list[list[T] | Exception]:
    """Each batch's results, or the exception that stopped it (``WorkerLost`` if its worker died), in the order of
    ``batches``, from at most ``jobs`` workers: the warm pool's if there is one with pipes for that many."""
    pool = _pool(min(jobs, len(batches))) if available() else None
    if pool is None:  # no fork here, or none possible now (the system's process limit)
        return [_in_process(work, batch) for batch in batches]
    try:
        done: list[list[T] | Exception] = _dispatch(pool, pickle.dumps(work, pickle.HIGHEST_PROTOCOL), batches)
    except BaseException:  # Ctrl-C: the workers are ended (busy ones after their clean-up), not waited for
        _end(pool)
        pool.close()
        raise
    pool.close()
    for pid in pool.children:  # no zombie left in a long-lived process (the tests); the warm worker reaps its own
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass  # reaped already: tilekit was started with SIGCHLD ignored
    return done


def _pool(count: int) -> _Pool | None:
    """``count`` workers: the warm pool told to fork the others, or workers forked now."""
    global _warm
    warm, _warm = _warm, None
    if warm is not None and count <= len(warm.slots):
        for spare in warm.slots[count:]:
            spare.close()
        warm.slots = warm.slots[:count]
        try:
            _send(warm.slots[0].orders, ("fork", count))
            return warm
        except OSError:
            pass  # the warm worker is gone
    if warm is not None:
        warm.close()
    return _cold(count)


def _in_process(work: Work[T], batch: list[Any]) -> list[T] | Exception:
    try:
        return work(batch)
    except Exception as exc:  # noqa: BLE001 - reported per batch, as a worker's would be
        return exc


def _cold(count: int) -> _Pool | None:
    """Up to ``count`` workers forked now from the main process (None if none could be)."""
    slots: list[_Slot] = []
    children: list[int] = []
    for _ in range(count):
        pair = _pipes(1)
        if not pair:
            break  # the open-file limit: fewer workers
        [(orders, results)] = pair
        slot = _Slot(orders[1], results[0])
        pid = _fork(children[0] if children else 0)
        if pid == 0:
            _child(_serve, [*slots, slot], orders[0], results[1])
        os.close(orders[0])
        os.close(results[1])
        if pid is None:
            slot.close()
            break
        slots.append(slot)
        children.append(pid)
    return _Pool(slots, children[0], children) if children else None


def _pipes(count: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Up to ``count`` (orders, results) pipe pairs: fewer when the process may not open more files."""
    pairs = []
    for _ in range(count):
        try:
            orders = os.pipe()
        except OSError:
            break
        try:
            results = os.pipe()
        except OSError:
            os.close(orders[0])
            os.close(orders[1])
            break
        pairs.append((orders, results))
    return pairs


def _fork(group: int) -> int | None:
    """``os.fork()`` for a worker that joins the process group ``group`` (0: a new one it leads); None if the
    system refuses another process. Ctrl-C is held off over the fork so that the new worker, which must ignore it,
    never acts on one meant for the main process."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        try:
            pid = os.fork()
        except OSError:
            return None
        if pid == 0:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        # Both sides set the group, so that it is set whichever runs first.
        try:
            os.setpgid(0 if pid == 0 else pid, group or (os.getpid() if pid == 0 else pid))
        except OSError:
            pass  # the worker has already set it, or has already left
        return pid
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _dispatch(pool: _Pool, work: bytes, batches: list[list[Any]]) -> list[list[T] | Exception]:
    import selectors

    done: list[list[T] | Exception] = [WorkerLost("no worker was left")] * len(batches)  # until a worker answers
    todo = list(range(len(batches)))[::-1]  # popped from the end: first batch first
    busy = selectors.PollSelector()  # poll: no file of its own (epoll's), no limit on descriptor numbers (select's)

    def give(slot: _Slot) -> None:
        if not todo:
            return
        index = todo.pop()
        try:
            _send(slot.orders, ("batch", work, batches[index]))
        except OSError:  # the worker is gone, and this batch with it
            done[index] = WorkerLost("it had already ended")
            return
        slot.batch = index
        busy.register(slot.results, selectors.EVENT_READ, slot)

    for slot in pool.slots:
        give(slot)
    while busy.get_map():
        for key, _events in busy.select(timeout=0.5):
            checkpoint()
            slot = key.data
            busy.unregister(slot.results)
            index, slot.batch = slot.batch, None
            assert index is not None
            try:
                message = _receive(slot.results)
            except Exception as exc:  # noqa: BLE001 - results that do not unpickle here; the worker goes on
                done[index] = WorkerLost(f"its results could not be read: {type(exc).__name__}")
                give(slot)
                continue
            if message is None:
                done[index] = WorkerLost("it ended without sending its results")
                continue
            done[index] = message[1] if message[0] == "ok" else WorkerLost(message[1])
            give(slot)
        checkpoint()
    return done


def _end(pool: _Pool) -> None:
    try:
        os.killpg(pool.group, signal.SIGTERM)
    except OSError:
        pass  # every worker has already left


# Messages -------------------------------------------------------------------------------------------------------


def _send(fd: int, message: Any) -> None:
    data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int) -> Any:
    """The next message, or None when the writer has gone."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    data = _read_exactly(fd, size)
    return None if data is None else pickle.loads(data)


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


# In a worker ------------------------------------------------------------------------------------------------------


_busy = False  # a batch is being worked on


def _detach() -> None:
    """A worker's start (its process group and Ctrl-C are set by ``_fork``): SIGTERM as the main process's request to
    end, and no terminal: nothing a worker prints can reach it, and a reader of tilekit's output never waits for a
    worker to close it."""
    signal.signal(signal.SIGTERM, _ended)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


def _ended(signum: int, frame: Any) -> None:
    """The main process ends its workers on Ctrl-C. A busy worker leaves as an interrupted run does, its clean-up
    run instead of vanishing mid-write; an idle one leaves at once."""
    if _busy:
        raise KeyboardInterrupt
    os._exit(1)


def _child(serve: Callable[..., None], inherited: list[_Slot], *args: Any) -> NoReturn:
    """A forked worker's life: the main process's pipe ends it inherited closed, then ``serve``. Whatever happens,
    it ends here, never returning into the main process's code."""
    try:
        for slot in inherited:
            slot.close()
        _detach()
        serve(*args)
    finally:
        os._exit(0)


def _serve_warm(ends: list[tuple[int, int]]) -> None:
    """The warm pool's first worker: import ahead what checking needs, wait for the order to fork the others, then
    work like them. They inherit what it imported, its process group and its start."""
    import gc

    try:
        from toolkit.checks import warm_up

        warm_up()
    except Exception:  # noqa: BLE001, S110 - the checks meet the same error on the tile, and report it there
        pass
    gc.freeze()  # what is alive now is shared with the workers forked below, and left out of their collections
    orders, results = ends[0]
    message = _receive(orders)
    if message is None:
        return  # the run needed no workers
    children = []
    for index in range(1, message[1]):
        try:
            pid = os.fork()
        except OSError:
            break  # the system's process limit: the batches sent to the missing workers come back lost
        if pid == 0:
            mine = ends[index]
            _child(_serve, [], *mine, [fd for pair in ends if pair is not mine for fd in pair])
        children.append(pid)
    for fd in (fd for pair in ends[1:] for fd in pair):
        os.close(fd)
    _serve(orders, results)
    for pid in children:
        os.waitpid(pid, 0)


def _serve(orders: int, results: int, inherited: Iterable[int] = ()) -> None:
    """Work each batch sent until the main process closes the orders. ``inherited``: the pipe ends of the warm
    worker's other workers, closed first, so that each pipe end is held by one process only and a death is seen."""
    global _busy
    for fd in inherited:
        os.close(fd)
    loaded, work = b"", None
    while (message := _receive(orders)) is not None:
        _kind, payload, batch = message
        if payload != loaded:
            loaded, work = payload, pickle.loads(payload)
        assert work is not None
        _busy = True
        try:
            reply = ("ok", work(batch))
        except KeyboardInterrupt:
            os._exit(1)  # ended by the main process (the only interrupt a worker gets): its clean-up has run
        except Exception as exc:  # noqa: BLE001 - the main process decides what a failed batch costs
            reply = ("error", _described(exc))
        finally:
            _busy = False
        try:
            _send(results, reply)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as exc:  # results that cannot be sent
            _send(results, ("error", f"its results could not be sent: {_described(exc)}"))


def _described(exc: BaseException) -> str:
    # As text: an exception object may not survive pickling (its class may need arguments it does not keep).
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
