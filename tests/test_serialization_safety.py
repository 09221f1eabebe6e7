"""State files: atomic saves (the old checkpoint survives any failure), bounded, checked loads."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zipfile

import numpy as np
import pytest

import nn
from nn import serialization
from nn.serialization import StateFileError


def _model() -> nn.Module:
    nn.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def _same(a: dict, b: dict) -> bool:
    return list(a) == list(b) and all(np.array_equal(a[k], b[k]) for k in a)


def _leftovers(folder) -> list[str]:
    return sorted(os.listdir(folder))


# ------------------------------------------------------------------------------ atomic save


def test_a_save_that_fails_part_way_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    good = _model()
    good.save(path)
    before = nn.load_state(path)
    written = []
    real = np.lib.format.write_array

    def write_then_fail(f, arr, **kw):
        if written:
            raise OSError(28, "No space left on device")
        written.append(1)
        real(f, arr, **kw)

    monkeypatch.setattr(np.lib.format, "write_array", write_then_fail)
    other = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    with pytest.raises(OSError, match="No space"):
        other.save(path)
    assert written  # the failure happened part way, after one member was written
    assert _same(nn.load_state(path), before)
    assert _leftovers(tmp_path) == ["model.npz"]


def test_a_save_past_the_file_size_limit_keeps_the_old_checkpoint(tmp_path):
    """RLIMIT_FSIZE in a child process: the write fails with EFBIG part way through."""
    pytest.importorskip("resource")
    path = tmp_path / "model.npz"
    small = {"w": np.arange(4.0)}
    serialization.save_state(small, path)
    script = textwrap.dedent(f"""
        import resource, signal, sys
        import numpy as np
        sys.path.insert(0, {os.getcwd()!r})
        from nn.serialization import save_state
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG as an OSError, not a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
        try:
            save_state({{"w": np.zeros(100_000)}}, {str(path)!r})
        except OSError as e:
            print("failed:", e.errno)
        else:
            print("saved")
    """)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=root, timeout=60)
    assert out.stdout.startswith("failed"), out.stdout + out.stderr
    assert _same(nn.load_state(path), small)
    assert _leftovers(tmp_path) == ["model.npz"]


def test_save_refuses_bad_keys_before_touching_the_file(tmp_path):
    path = tmp_path / "model.npz"
    serialization.save_state({"w": np.ones(2)}, path)
    for key in ("../x", "/abs", "a/b", "a\\b", "", "a..b", "C:x"):
        with pytest.raises(ValueError, match="not a plain state-dict key"):
            serialization.save_state({"ok": np.ones(1), key: np.ones(1)}, path)
    with pytest.raises(TypeError, match="state keys must be str"):
        serialization.save_state({3: np.ones(1)}, path)
    with pytest.raises(TypeError, match="only real numbers"):
        serialization.save_state({"o": np.array([{}], dtype=object)}, path)
    assert _same(nn.load_state(path), {"w": np.ones(2)})
    assert _leftovers(tmp_path) == ["model.npz"]


def test_save_keeps_the_umask_mode_and_round_trips_every_layout(tmp_path):
    path = tmp_path / "state.npz"
    state = {"0.weight": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
             "flag": np.array(True), "big_endian": np.arange(3, dtype=">i4"),
             "empty": np.zeros((0, 3), np.float32)}
    serialization.save_state(state, path)
    back = nn.load_state(path)
    assert _same(back, state) and all(back[k].dtype == state[k].dtype for k in state)
    np.savez_compressed(tmp_path / "compressed.npz", **state)  # NumPy's own compressed files
    assert _same(nn.load_state(tmp_path / "compressed.npz"), state)
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask


# ------------------------------------------------------------------------------ bounded load


def test_a_garbage_file_is_not_a_state_file(tmp_path):
    path = tmp_path / "garbage.npz"
    path.write_bytes(b"\x80\x04not a zip at all" * 50)
    with pytest.raises(StateFileError, match="not a .npz state file") as info:
        nn.load_state(path)
    assert "pickle" not in str(info.value)


def test_a_zip_of_something_else_is_not_a_state_file(tmp_path):
    path = tmp_path / "other.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(StateFileError, match="not a .npz state file.*readme.txt"):
        nn.load_state(path)


@pytest.mark.parametrize("member", ["../evil.npy", "/abs.npy", "dir/x.npy", "a\\b.npy",
                                    "C:x.npy", ".npy", "a..b.npy"])
def test_zip_slip_member_names_are_refused(tmp_path, member):
    path = tmp_path / "slip.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ok.npy", b"")
        zf.writestr(member, b"")
    with pytest.raises(StateFileError, match="refused"):
        nn.load_state(path)


def test_a_zip_bomb_is_refused_quickly_from_its_directory(tmp_path):
    path = tmp_path / "bomb.npz"
    declared = 64 << 20  # 64 MiB of zeros, about 64 KiB compressed
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("w.npy", "w") as f:
            np.lib.format.write_array_header_1_0(
                f, {"descr": "<f8", "fortran_order": False, "shape": (declared // 8,)})
            chunk = bytes(1 << 20)
            for _ in range(64):
                f.write(chunk)
    assert path.stat().st_size < declared // 100
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(StateFileError, match=r"member 'w.npy' declares \d+ bytes, over the "
                                             r"limit 1048576"):
        nn.load_state(path, max_bytes=1 << 20)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 0.5 and peak < 1 << 20
    assert nn.load_state(path, max_bytes=declared * 2)["w"].shape == (declared // 8,)


def test_the_total_of_all_members_is_bounded(tmp_path):
    path = tmp_path / "many.npz"
    serialization.save_state({f"p{i}": np.zeros(1000) for i in range(5)}, path)
    with pytest.raises(StateFileError, match="in total, over the limit 20000"):
        nn.load_state(path, max_bytes=20_000)
    assert len(nn.load_state(path)) == 5
    assert serialization.DEFAULT_MAX_BYTES == 1 << 30


def test_a_header_claiming_more_data_than_the_member_holds_is_refused(tmp_path):
    path = tmp_path / "liar.npz"
    with zipfile.ZipFile(path, "w") as zf:
        with zf.open("w.npy", "w") as f:
            np.lib.format.write_array_header_1_0(
                f, {"descr": "<f8", "fortran_order": False, "shape": (10**9,)})
    tracemalloc.start()
    with pytest.raises(StateFileError, match="claims an array of 8000000000 bytes"):
        nn.load_state(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1 << 20


def test_duplicate_and_truncated_members_are_refused(tmp_path):
    path = tmp_path / "dup.npz"
    with pytest.warns(UserWarning, match="Duplicate name"):
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("w.npy", b"")
            zf.writestr("w.npy", b"")
    with pytest.raises(StateFileError, match="appears twice"):
        nn.load_state(path)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("w.npy", b"\x93NUMPY")  # the magic and nothing else
    with pytest.raises(StateFileError, match="damaged"):
        nn.load_state(path)


def test_load_state_checks_its_arguments(tmp_path):
    with pytest.raises(TypeError, match=r"load_state\(path\) expects a str, an os.PathLike "
                                        "or a binary file object, got NoneType"):
        nn.load_state(None)
    with pytest.raises(ValueError, match=r"max_bytes\) must be an int >= 0, got -1"):
        nn.load_state(tmp_path / "x.npz", max_bytes=-1)
    with pytest.raises(FileNotFoundError):
        nn.load_state(tmp_path / "missing.npz")


def test_load_state_reads_a_file_object_too():
    buffer = io.BytesIO()
    np.savez(buffer, w=np.arange(3.0))
    buffer.seek(0)
    assert _same(nn.load_state(buffer), {"w": np.arange(3.0)})
    with pytest.raises(StateFileError, match="'BytesIO' is not a .npz state file"):
        nn.load_state(io.BytesIO(b"junk"))
