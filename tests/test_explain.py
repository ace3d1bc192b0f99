"""`aocnn explain` and the training history it draws: real PNGs, the network's own numbers, one-line errors."""

from __future__ import annotations

import json
import shutil
import struct
import sys
from pathlib import Path

import jax
import numpy as np
import pytest

from aocnn import explain as explaining
from aocnn import plots, registry
from aocnn.nn import checkpoint, model, training
from aocnn.runner import load_neural
from conftest import invoke, one_error_line, toy_puzzle, toy_task
from solvers.y2015 import d01

PNG = b"\x89PNG\r\n\x1a\n"




def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG and data[12:16] == b"IHDR", path
    return struct.unpack(">II", data[16:24])


def layer_titles(titles: list[str], layer: str) -> list[str]:
    """Titles of panels that draw `layer` ("a = b: ..." draws a value that layers a and b both computed)."""
    return [t for t in titles if layer in t.split(": ")[0].split(" = ")]


def titles_while_saving(monkeypatch) -> dict[str, list[str]]:
    """Each saved figure's axes titles (colorbars have none), by file name."""
    seen: dict[str, list[str]] = {}
    original = plots.save

    def save(fig, arrays, path, **options):
        seen[Path(path).name] = [ax.get_title() for ax in fig.axes if ax.get_title()]
        return original(fig, arrays, path, **options)

    monkeypatch.setattr(plots, "save", save)
    return seen


# --- on the shipped 2015/1 networks: part 1 from the family, part 2 bespoke ---------------------------

LINE = d01.generate_input(7, length=300).strip()  # long enough for the full-length plots, with a basement


@pytest.fixture(scope="module")
def shipped_2015(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explain")
    source = folder / "input.txt"
    source.write_text(LINE + "\n")
    with pytest.MonkeyPatch.context() as patch:
        titles = titles_while_saving(patch)
        result = invoke("explain", "2015", "1", "--input", str(source), "--out", str(folder / "out"), "--json")
    assert result.exit_code == 0, result.output
    return result, {Path(p["path"]).name: p for p in json.loads(result.stdout)}, titles


def test_shipped_weights_give_real_pngs_with_their_data_beside(shipped_2015):
    result, pictures, _ = shipped_2015
    # part 1's weights were saved before histories were kept; part 2's (retrained since) carry one
    assert set(pictures) == {f"part{p}-{kind}.png" for p in (1, 2) for kind in ("internals", "parameters", "confidence")
                             } | {"part2-training.png"}
    for picture in pictures.values():
        width, height = png_size(Path(picture["path"]))
        assert 600 <= width <= 3000 and 300 <= height <= 4000  # readable at 100%, not a poster
        assert Path(picture["data"]) == Path(picture["path"]).with_suffix(".npz") and Path(picture["data"]).is_file()
        assert picture["what"]
    # weights saved before histories were kept: said once, and no training picture for that part
    assert result.stderr.count("no training history recorded") == 1


def test_family_internals_are_the_networks_numbers(shipped_2015):
    _, pictures, _ = shipped_2015
    network = load_neural(registry.get(2015, 1), 1)
    floor = float(network(d01.family_ids(LINE))["floor"][0])
    drawn = np.load(pictures["part1-internals.png"]["data"])
    assert float(drawn["decoder_floor"][0]) == floor == d01.part1(LINE)
    state = drawn["recurrence0_state_fwd"][:, 0]  # the learned counter: +-1 per character, the running floor
    running = np.cumsum(np.where(np.array(list(LINE)) == "(", 1, -1))
    assert state.shape == (len(LINE),) and (np.array_equal(state, running) or np.array_equal(state, -running))
    params = {k: np.asarray(v) for k, v in explaining.parameter_arrays(network.params)}
    tables = np.load(pictures["part1-parameters.png"]["data"])
    assert len(tables.files) == len(params)
    np.testing.assert_array_equal(tables["encoder_exact_embed0_embedding"], params["encoder/exact_embed0/embedding"])
    doubt = np.load(pictures["part1-confidence.png"]["data"])
    assert doubt["floor"].tolist() == [abs(floor - round(floor))] and float(doubt["floor_threshold"]) == 0.25


def test_family_figures_draw_every_layer_by_name(shipped_2015):
    _, _, titles = shipped_2015
    internals = titles["part1-internals.png"]
    for layer in ("encoder", "recurrence0/state_fwd", "recurrence0", "stream_after_layer0"):
        heatmap = [t for t in layer_titles(internals, layer) if "at each position" in t]
        whole = [t for t in internals if " over the whole record" in t
                 and layer in t.split(" over the whole record")[0].split(" = ")]
        assert len(heatmap) == 1 and len(whole) == 1, (layer, internals)  # 300 positions: heatmap + full length
    assert [t for t in layer_titles(internals, "decoder_floor") if "1 output value" in t]
    assert len(titles["part1-parameters.png"]) == 8  # one panel per parameter array
    assert len(titles["part1-confidence.png"]) == 1 and titles["part1-confidence.png"][0].startswith("head floor: 1 records")


def test_bespoke_part_draws_its_parameters_intermediates_and_confidence(shipped_2015):
    _, pictures, titles = shipped_2015
    network = load_neural(registry.get(2015, 1), 2)
    params = dict(explaining.parameter_arrays(network.params))
    assert len(titles["part2-parameters.png"]) == len(params) == 7
    tables = np.load(pictures["part2-parameters.png"]["data"])
    np.testing.assert_array_equal(tables["LinearRecurrence_0_embed"], params["LinearRecurrence_0/embed"])
    log_p = np.asarray(network(d01.encode(LINE))["log_p"])[0]
    drawn = np.load(pictures["part2-internals.png"]["data"])
    np.testing.assert_array_equal(drawn["log_p"], log_p)
    assert layer_titles(titles["part2-internals.png"], "LinearRecurrence_0")
    doubt = np.load(pictures["part2-confidence.png"]["data"])
    np.testing.assert_allclose(doubt["first"], [1 - np.exp(log_p.max())])


# --- the training history --------------------------------------------------------------------------------

def test_training_records_its_history_and_the_checkpoint_keeps_it(tmp_path):
    task = toy_task("2099_01/part1")
    params, report = training.train(task, seed=0, max_steps=35)
    steps = [row["step"] for row in report.history]
    assert steps == [*range(10, report.steps, 10), report.steps]  # every evaluation, until it stopped
    assert report.history[-1]["exact"] == report.exact and report.history[-1]["far_exact"] == report.far_exact
    schedule = training.make_schedule(task, 35)
    for row in report.history:
        assert row["examples"] == row["step"] * task.train.batch_size and row["stage"] == "train"
        assert row["learning_rate"] == pytest.approx(float(schedule(row["step"])))
        assert np.isfinite(row["loss"]) and np.isfinite(row["held_out_loss"]) and 0 <= row["exact"] <= 1
        assert row["far_exact"] is None or 0 <= row["far_exact"] <= 1
    assert [r["seconds"] for r in report.history] == sorted(r["seconds"] for r in report.history)
    path = model.save(task, "2099/1", [1], params, report, jax.local_devices(), tmp_path)
    meta = checkpoint.read_meta(path)
    assert checkpoint.read_history(path, meta) == [dict(r) for r in report.history]
    assert meta["history_digest"].startswith("sha256:")


def test_a_finalized_network_adds_its_own_checks_to_the_history():
    from dataclasses import replace

    task = replace(toy_task("2099_01/part1"), finalize=lambda params: params)  # e.g. weights snapped to integers
    _, report = training.train(task, seed=0)
    assert [r["stage"] for r in report.history] == ["train"] * (len(report.history) - 1) + ["final"]
    assert report.history[-1]["step"] == report.steps and report.history[-1]["far_exact"] == report.far_exact


def test_a_failed_save_leaves_the_old_checkpoint_and_its_history_whole(tmp_path, monkeypatch):
    task = toy_task("2099_01/part1")
    params, report = training.train(task, seed=0, max_steps=20)
    path = model.save(task, "2099/1", [1], params, report, jax.local_devices(), tmp_path)
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert (path / "history.json").relative_to(tmp_path) in before
    _, longer = training.train(task, seed=1, max_steps=30)

    def dies(*args, **kwargs):  # after the new params, meta and history were staged, before they are swapped in
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint, "_swap_into_place", dies)
    with pytest.raises(KeyboardInterrupt):
        model.save(task, "2099/1", [1], params, longer, jax.local_devices(), tmp_path)
    after = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before
    assert len(checkpoint.read_history(path, checkpoint.read_meta(path))) == len(report.history)


@pytest.fixture
def toy(use_puzzles, toy_weights, tmp_path):
    """The toy puzzle with a copy of its trained weights (saved with their history) to tamper with."""
    use_puzzles(toy_puzzle())
    root = tmp_path / "weights"
    shutil.copytree(toy_weights, root)
    return root


def test_explain_draws_the_training_curves_from_the_history(toy, tmp_path, monkeypatch):
    titles = titles_while_saving(monkeypatch)
    result = invoke("explain", "2099", "1", "--sample", "--weights", str(toy), "--out", str(tmp_path / "out"), "--json")
    assert result.exit_code == 0, result.output
    pictures = {Path(p["path"]).name: p for p in json.loads(result.stdout)}
    assert "part1-training.png" in pictures and png_size(Path(pictures["part1-training.png"]["path"]))[0] >= 600
    assert titles["part1-training.png"] == ["loss", "held-out exactness", "learning-rate schedule"]
    history = checkpoint.read_history(toy / "2099_01" / "part1", checkpoint.read_meta(toy / "2099_01" / "part1"))
    drawn = np.load(pictures["part1-training.png"]["data"])
    trained = [r for r in history if r["stage"] == "train"]
    np.testing.assert_array_equal(drawn["examples"], [r["examples"] for r in trained])
    np.testing.assert_array_equal(drawn["exact"], [r["exact"] for r in trained])
    # the toy task declares no per-record confidence: said, not drawn
    assert "part1-confidence.png" not in pictures
    assert "no per-record confidence declared" in result.stderr


def test_weights_without_history_still_load_and_explain_says_so(toy, tmp_path):
    path = toy / "2099_01" / "part1"
    (path / "history.json").unlink()
    meta = json.loads((path / "meta.json").read_text())
    del meta["history_digest"]
    checkpoint.write_meta(path, meta)  # resealed: a checkpoint saved before histories were kept
    result = invoke("explain", "2099", "1", "--sample", "--weights", str(toy), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "aocnn: part 1: no training history recorded with these weights" in result.stderr
    assert not (tmp_path / "out" / "part1-training.png").exists() and (tmp_path / "out" / "part1-parameters.png").is_file()


def test_a_changed_history_is_refused(toy, tmp_path):
    history = toy / "2099_01" / "part1" / "history.json"
    rows = json.loads(history.read_text())
    rows[0]["held_out_loss"] /= 10  # a better-looking run than the one that made these weights
    history.write_text(json.dumps(rows, indent=1) + "\n")
    result = invoke("explain", "2099", "1", "--sample", "--weights", str(toy), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "does not match the digest in its meta.json" in one_error_line(result.stderr)


# --- inputs, output folder, missing matplotlib: one line, exit 2 ------------------------------------------

def test_explain_reads_your_aocd_input(toy, aocd_cache, monkeypatch, tmp_path):
    aocd_cache.plant(2099, 1, "3\n1\n4\n1\n5\n")
    aocd_cache.set_token(monkeypatch)
    result = invoke("explain", "2099", "1", "--weights", str(toy), "--record", "4", "--out", str(tmp_path / "out"),
                    "--json")
    assert result.exit_code == 0, result.output
    assert "no AoC session token" not in result.stderr
    [internals] = [p for p in json.loads(result.stdout) if p["path"].endswith("internals.png")]
    assert np.argmax(np.load(internals["data"])["Dense_0"]) == 5  # record 4 of the input is the digit 5
    bad = invoke("explain", "2099", "1", "--weights", str(toy), "--record", "5", "--out", str(tmp_path / "out2"))
    assert bad.exit_code == 2
    assert one_error_line(bad.stderr) == "--record 5: the input gives part 1's network only 5 record(s) (numbered from 0)"


def test_out_folder_that_is_not_empty_is_refused(toy, tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.png").write_bytes(b"mine")
    result = invoke("explain", "2099", "1", "--sample", "--weights", str(toy), "--out", str(tmp_path / "taken"))
    assert result.exit_code == 2 and result.stdout == ""
    assert one_error_line(result.stderr) == (f"--out {tmp_path / 'taken'}: exists and is not an empty folder "
                                             "(explain never overwrites pictures)")
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["keep.png"]


def test_default_folder_is_new_in_the_current_directory(tmp_path):
    assert explaining.output_dir(None, 2015, 1, tmp_path) == tmp_path / "aocnn-explain-2015-01"
    (tmp_path / "aocnn-explain-2015-01").mkdir()
    (tmp_path / "aocnn-explain-2015-01-2").mkdir()
    assert explaining.output_dir(None, 2015, 1, tmp_path) == tmp_path / "aocnn-explain-2015-01-3"


def test_bad_input_is_one_line_and_leaves_no_folder(toy, tmp_path):
    result = invoke("explain", "2099", "1", "--input", "-", "--weights", str(toy), "--out", str(tmp_path / "out"),
                    stdin="1\nx\n")
    assert result.exit_code == 2
    assert one_error_line(result.stderr).startswith("line 2:")
    assert not (tmp_path / "out").exists()


def test_a_part_without_a_network_is_refused(toy, tmp_path):
    result = invoke("explain", "2099", "1", "--part", "2", "--sample", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert one_error_line(result.stderr) == "2099 day 1 part 2 has no neural solver to explain"


def test_without_matplotlib_explain_names_the_extra(toy, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now raises ImportError
    result = invoke("explain", "2099", "1", "--sample", "--weights", str(toy), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and result.stdout == ""
    assert one_error_line(result.stderr) == "aocnn explain needs matplotlib: pip install 'aocnn[plots]'"
    assert not (tmp_path / "out").exists()


# --- any family network, drawn generically ------------------------------------------------------------------

def test_any_family_network_is_drawn_layer_by_layer_with_pairwise_maps():
    """A family config no puzzle uses (a recurrence, then an all-pairs attention layer): every layer, its
    states and its pairwise weights are drawn, from what the module computed."""
    from types import SimpleNamespace

    from aocnn.nn.family import DecoderConfig, FamilyModel, ModelConfig, init

    config = ModelConfig(vocab=4, width=6, layers=2, kinds=("recurrence", "all_pairs"), aggregate="softmax", mlp=5,
                         decoders=(DecoderConfig("count", kind="scalar", read="sum"), DecoderConfig("kind", classes=3)))
    network = SimpleNamespace(task=SimpleNamespace(model=FamilyModel(config)), params=init(config, 0),
                              device=jax.local_devices()[0])
    recorder = explaining.Recorder(network, record=1)
    ids = np.array([[1, 2, 3, 1, 0], [3, 3, 2, 0, 0]], np.int32)
    recorder({"ids": ids, "lengths": np.array([4, 3], np.int32)})
    capture = recorder.capture
    source = explaining.Source("2099/9", 1, "toy/part1", "aocnn-family-v1", "weights/toy", "sha256:0", "now", True, "cpu:0")
    item = explaining.Explained(source, None, capture, 1, ["c", "c", "b"], 3, [], None, None)
    names = [name for name, _ in capture.row_intermediates]
    assert names.index("stream_encoded") < names.index("recurrence0/state_fwd") < names.index("all_pairs1/attention")
    fig, arrays = plots.figure_pairs(item)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["all_pairs1/messages", "all_pairs1/attention"]
    attention = arrays["all_pairs1_attention"]
    assert attention.shape == (3, 3)
    np.testing.assert_allclose(attention.sum(axis=1), 1.0, rtol=1e-6)  # softmax over the 3 real senders
    fig, arrays = plots.figure_internals(item)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    for layer in ("encoder", "stream_encoded", "recurrence0/state_fwd", "recurrence0/state_bwd", "recurrence0",
                  "mlp0_out", "stream_after_layer0", "all_pairs1", "stream_after_layer1"):
        assert len(layer_titles(titles, layer)) == 1, (layer, titles)
    outputs = FamilyModel(config).apply({"params": network.params}, {"ids": ids, "lengths": np.array([4, 3], np.int32)})
    np.testing.assert_allclose(arrays["decoder_kind"], np.asarray(outputs["kind"])[1], rtol=1e-6)
    np.testing.assert_allclose(arrays["decoder_count"], np.asarray(outputs["count"])[1:2], rtol=1e-6)


# --- search studies ----------------------------------------------------------------------------------

def test_search_studies_are_drawn_best_so_far_per_sampler(tmp_path, monkeypatch):
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = f"sqlite:///{tmp_path / 'search.db'}"
    values = {"s-random": [0.2, 0.9, 0.5, 0.95], "s-tpe": [0.4, 0.3, 0.7, 0.6, 1.0]}
    for name, trials in values.items():
        study = optuna.create_study(study_name=name, storage=storage, direction="maximize")
        for value in trials:
            study.enqueue_trial({"x": value})
        study.optimize(lambda trial: trial.suggest_float("x", 0, 1), n_trials=len(trials))
    titles = titles_while_saving(monkeypatch)
    result = invoke("explain", "--study", "s-random", "--study", "s-tpe", "--storage", storage,
                    "--out", str(tmp_path / "out"), "--json")
    assert result.exit_code == 0, result.output
    [picture] = json.loads(result.stdout)
    assert png_size(Path(picture["path"]))[0] >= 600
    assert titles["study-history.png"] == ["best-so-far objective value against trials, per study"]
    drawn = np.load(picture["data"])
    for name, trials in values.items():
        key = name.replace("-", "_")
        np.testing.assert_array_equal(drawn[f"{key}_best"], np.maximum.accumulate(trials))
        np.testing.assert_array_equal(drawn[f"{key}_trial"], np.arange(len(trials)))
    missing = invoke("explain", "--study", "s-grid", "--storage", storage, "--out", str(tmp_path / "out2"))
    assert missing.exit_code == 2
    assert one_error_line(missing.stderr) == f"--study s-grid: no such study in {storage} (studies there: s-random, s-tpe)"
    assert not (tmp_path / "out2").exists()
