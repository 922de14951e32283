"""The explainer in a real browser: JupyterLab 4 (and Notebook 7) from .venv, Debian's Chromium via Playwright.

A temporary notebook displays ``Explainer("gru")``; the test runs it, reads the displayed values (each
value's ``data-value`` attribute holds the exact float), moves the x_1 slider with the keyboard and checks
that the page now shows rnnlab's new values, computed here with rnnlab. A second notebook does the same
for the Jacobian view (``MemoryExplainer``), moving its sequence-length slider; a third types a review into
the sentence view (``SentenceExplainer``) and checks its verdict and gates against the model it trained.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, require_executable, require_module
from numpy.testing import assert_array_equal

import rnnlab
from rnnlab import examples

pytestmark = pytest.mark.timeout(180)

NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "explainer",
            "metadata": {},
            "outputs": [],
            "source": 'from rnnlab.explainer import Explainer\nexplainer = Explainer("gru")\nexplainer.widget',
        }
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}
MEMORY_NOTEBOOK = json.loads(json.dumps(NOTEBOOK))
MEMORY_NOTEBOOK["cells"][0]["source"] = (
    "from rnnlab.explainer.memory import MemoryExplainer\nmemory = MemoryExplainer()\nmemory.widget"
)
SENTENCE_NOTEBOOK = json.loads(json.dumps(NOTEBOOK))
SENTENCE_NOTEBOOK["cells"][0]["source"] = """import numpy as np
from rnnlab import tasks
from rnnlab.explainer.sentence import SentenceExplainer
from rnnlab.models import SequenceModel
from rnnlab.train import Adam, bce_with_logits, train
reviews = tasks.toy_reviews(n=400, length=12, seed=0)
model = SequenceModel("gru", input_size=4, hidden_size=6, vocab_size=len(reviews.vocab))
weights = model.init(seed=0)
rows = lambda step: slice(step % 25 * 16, step % 25 * 16 + 16)
batch = lambda step: (reviews.tokens[:, rows(step)], reviews.labels[rows(step), None])
train(model.loss_and_grads(bce_with_logits), weights, batch, steps=80, optimizer=Adam(lr=0.02), progress=False)
np.savez("sentence-weights.npz", **weights)
view = SentenceExplainer(model, weights, reviews.vocab)
view.widget"""
# Every value the charts show, read back from the page: {cell: {name: [v1, v2, v3]}}.
READ_VALUES = """() => {
  const out = {};
  for (const span of document.querySelectorAll('.rnnlab-chart .rnnlab-value')) {
    const {cell, name, index, value} = span.dataset;
    out[cell] = out[cell] || {};
    out[cell][name] = out[cell][name] || [];
    out[cell][name][Number(index)] = [Number(value), span.textContent];
  }
  return out;
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """A JupyterLab server on loopback serving a temporary folder; yields (base URL, token, folder)."""
    require_module("jupyterlab")
    root = tmp_path_factory.mktemp("explainer-lab")
    (root / "explainer.ipynb").write_text(json.dumps(NOTEBOOK))
    (root / "memory.ipynb").write_text(json.dumps(MEMORY_NOTEBOOK))
    (root / "sentence.ipynb").write_text(json.dumps(SENTENCE_NOTEBOOK))
    port, token = free_port(), secrets.token_hex(16)
    env = os.environ | {
        "JUPYTER_CONFIG_DIR": str(root / ".config"),
        "JUPYTER_RUNTIME_DIR": str(root / ".runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(root / ".settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(root / ".workspaces"),
    }
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", "--LabApp.news_url=", "--ServerApp.open_browser=False",
        "--ServerApp.allow_root=True",  # CI containers run as root
    ]  # fmt: skip
    news = root / ".settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false"}))  # no "notify me about news?" pop-up over the screenshot
    log = (root / "server.log").open("w")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{(root / 'server.log').read_text()[-3000:]}")
                time.sleep(0.3)
        yield base, token, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = require_executable(CHROMIUM)
    sync_api = require_module("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def wait_for_kernel(base: str, token: str, opened: int, path: str | None = None) -> None:
    """Wait until the server has ``opened`` sessions (of the notebook ``path``, if given) whose kernels are idle
    and have a client connected."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=5) as response:
            sessions = json.load(response)
        kernels = [s["kernel"] for s in sessions if s.get("kernel") and path in (None, s.get("path"))]
        ready = [k for k in kernels if k.get("execution_state") == "idle" and k.get("connections", 0) > 0]
        if len(ready) >= opened:
            return
        time.sleep(0.3)
    pytest.fail(f"the notebook's kernel did not become ready: {sessions}")


def run_notebook(
    page: object,
    url: str,
    ready: Callable[[], None],
    failure_screenshot: Path,
    charts: str = '.rnnlab-chart .rnnlab-value[data-cell="gru"][data-name="h"]',
) -> None:
    """Open the notebook, wait for its kernel (``ready``), run its cell (Ctrl+Enter), wait for the charts.

    A run sent before the page has its kernel opens JupyterLab's "Select Kernel" dialog, which is
    accepted; the run is retried a few times. On failure a screenshot is saved to ``failure_screenshot``.
    """
    try:
        page.goto(url)
        editor = page.locator(".jp-Cell .jp-InputArea-editor").first
        editor.wait_for(timeout=60_000)
        ready()
        for attempt in range(4):
            dialog = page.locator(".jp-Dialog .jp-mod-accept")
            if dialog.count():
                dialog.first.click()
            editor.click()
            page.keyboard.press("Control+Enter")
            try:
                page.wait_for_selector(charts, timeout=15_000 * (attempt + 1))
                return
            except Exception:
                if attempt == 3:
                    raise
    except Exception:
        page.screenshot(path=str(failure_screenshot), full_page=True)
        raise


def read(page: object) -> dict[str, dict[str, np.ndarray]]:
    raw = page.evaluate(READ_VALUES)
    for names in raw.values():
        for name, pairs in names.items():
            for value, text in pairs:  # the label a person reads is the exact value, rounded
                assert text == f"{value:+.3f}", f"{name}: label {text!r} vs value {value!r}"
    return {
        cell: {name: np.array([value for value, _ in pairs]) for name, pairs in names.items()}
        for cell, names in raw.items()
    }


def assert_shows_rnnlab(shown: dict[str, dict[str, np.ndarray]], x: np.ndarray) -> rnnlab.GRUTrace:
    """The page shows the input ``x`` and, for it, exactly rnnlab's GRU step of the worked example."""
    ex = examples.gru_3d()
    np.testing.assert_allclose(shown["input"]["x"], x, atol=1e-12, err_msg="displayed x_t vs slider")
    expected = rnnlab.gru_step(shown["input"]["x"], shown["input"]["h_prev"], ex.params)
    assert_array_equal(shown["input"]["h_prev"], ex.h_prev)
    for name in ("r", "z", "h_tilde", "h"):
        ours, ref = shown["gru"][name], getattr(expected, name)
        assert_array_equal(ours, ref, err_msg=f"displayed {name} vs rnnlab: {ours} vs {ref}")
    return expected


def test_moving_a_slider_shows_rnnlabs_new_gates(jupyter: tuple[str, str, Path], browser: object, artifacts: Path):
    base, token, _ = jupyter
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        url = f"{base}/lab/tree/explainer.ipynb?token={token}"
        run_notebook(page, url, lambda: wait_for_kernel(base, token, 1), artifacts / "explainer_jupyterlab_failed.png")
        before = assert_shows_rnnlab(read(page), np.array(examples.X))

        handle = page.locator(".rnnlab-control-x_1 .noUi-handle").first
        handle.focus()
        for _ in range(4):  # 0.5 -> 0.7 in steps of 0.05
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            """() => {
              const s = document.querySelector('.rnnlab-value[data-cell="input"][data-name="x"][data-index="0"]');
              return s && Math.abs(Number(s.dataset.value) - 0.7) < 1e-9;
            }""",
            timeout=30_000,
        )
        page.wait_for_timeout(300)  # let any in-flight redraw land before reading everything
        after = assert_shows_rnnlab(read(page), np.array([0.7, *examples.X[1:]]))
        assert not np.array_equal(after.z, before.z), f"z did not change: {before.z} -> {after.z}"
        page.screenshot(path=str(artifacts / "explainer_jupyterlab.png"), full_page=True)

        page.get_by_role("tab", name="sequence").click()  # the sequence mode: three clicks on "step"
        for _ in range(3):
            page.locator(".rnnlab-control-seq_step").click()
        page.wait_for_selector('.rnnlab-heatmap .rnnlab-value[data-cell="gru-seq-3"]', timeout=30_000)
        assert page.locator('.rnnlab-value[data-cell="gru-seq-4"]').count() == 0
        page.screenshot(path=str(artifacts / "explainer_jupyterlab_sequence.png"), full_page=True)

        page.locator(".rnnlab-control-seq_reset").click()  # back to step 0, then let the Play widget run
        page.wait_for_function("() => !document.querySelector('.rnnlab-heatmap .rnnlab-value')", timeout=30_000)
        page.locator(".rnnlab-control-seq_play button").first.click()
        page.wait_for_selector('.rnnlab-heatmap .rnnlab-value[data-cell="gru-seq-2"]', timeout=30_000)
    finally:
        page.close()


def test_notebook7_renders_the_explainer(jupyter: tuple[str, str, Path], browser: object, artifacts: Path):
    base, token, _ = jupyter
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        url = f"{base}/notebooks/explainer.ipynb?token={token}"
        run_notebook(page, url, lambda: wait_for_kernel(base, token, 1), artifacts / "explainer_notebook7_failed.png")
        assert_shows_rnnlab(read(page), np.array(examples.X))
        page.screenshot(path=str(artifacts / "explainer_notebook7.png"), full_page=True)
    finally:
        page.close()


READ_NORMS = """() => {
  const out = {};
  for (const span of document.querySelectorAll('.rnnlab-memory .rnnlab-memory-value')) {
    const {cell, index, value} = span.dataset;
    (out[cell] = out[cell] || [])[Number(index)] = Number(value);
  }
  return out;
}"""


def assert_shows_rnnlabs_norms(page: object, length: int) -> None:
    from rnnlab.explainer.memory import CELLS, memory_inputs, memory_params
    from rnnlab.vanishing import input_jacobian_norms

    shown = page.evaluate(READ_NORMS)
    xs = memory_inputs(0, length)
    for cell in CELLS:
        expected = input_jacobian_norms(memory_params(cell, 0, 1.0, 1.0), xs)
        assert_array_equal(np.array(shown[cell]), expected, err_msg=f"{cell}: page vs rnnlab at T = {length}")


def test_the_jacobian_view_follows_its_length_slider(jupyter: tuple[str, str, Path], browser: object, artifacts: Path):
    from rnnlab.explainer.memory import LENGTH

    base, token, _ = jupyter
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        url = f"{base}/lab/workspaces/memory/tree/memory.ipynb?reset&token={token}"  # its own workspace
        charts = '.rnnlab-memory .rnnlab-memory-value[data-cell="lstm"]'
        ready = lambda: wait_for_kernel(base, token, 1, path="memory.ipynb")  # noqa: E731
        run_notebook(page, url, ready, artifacts / "memory_failed.png", charts)
        assert_shows_rnnlabs_norms(page, LENGTH)
        handle = page.locator(".rnnlab-control-length .noUi-handle").first
        handle.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.wait_for_selector(f'.rnnlab-memory-value[data-cell="gru"][data-index="{LENGTH + 2}"]', timeout=30_000)
        page.wait_for_timeout(300)  # let any in-flight redraw land before reading everything
        assert_shows_rnnlabs_norms(page, LENGTH + 3)
        page.screenshot(path=str(artifacts / "memory_jupyterlab.png"), full_page=True)
    finally:
        page.close()


def test_typing_a_review_shows_the_models_verdict_and_gates(
    jupyter: tuple[str, str, Path], browser: object, artifacts: Path
):
    from rnnlab import tasks
    from rnnlab.explainer.sentence import SentenceExplainer
    from rnnlab.models import SequenceModel

    base, token, root = jupyter
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        url = f"{base}/lab/workspaces/sentence/tree/sentence.ipynb?reset&token={token}"
        ready = lambda: wait_for_kernel(base, token, 1, path="sentence.ipynb")  # noqa: E731
        run_notebook(page, url, ready, artifacts / "sentence_failed.png", ".rnnlab-sentence .rnnlab-value")
        text = "the acting was not good and the plot was dull"
        box = page.locator(".rnnlab-control-text input").first
        box.fill(text)
        words = len(text.split())
        page.wait_for_selector(f'.rnnlab-sentence .rnnlab-value[data-cell="word-{words}"]', timeout=30_000)
        page.wait_for_timeout(300)
        reviews = tasks.toy_reviews(n=400, length=12, seed=0)
        model = SequenceModel("gru", input_size=4, hidden_size=6, vocab_size=len(reviews.vocab))
        with np.load(root / "sentence-weights.npz") as saved:
            weights = {name: saved[name] for name in saved.files}
        expected = SentenceExplainer(model, weights, reviews.vocab, text=text)
        try:
            shown = float(page.locator(".rnnlab-verdict").first.get_attribute("data-value"))
            assert shown == expected.probability, f"verdict on the page {shown} vs rnnlab {expected.probability}"
            for gate in ("r", "z"):
                cells = page.locator(f'.rnnlab-sentence .rnnlab-value[data-name="{gate}"]')
                values = np.zeros_like(expected.gates[gate])
                for k in range(cells.count()):
                    span = cells.nth(k)
                    t = int(span.get_attribute("data-cell").removeprefix("word-")) - 1
                    values[t, int(span.get_attribute("data-index"))] = float(span.get_attribute("data-value"))
                assert_array_equal(values, expected.gates[gate], err_msg=f"{gate}: page vs rnnlab")
        finally:
            expected.close()
        page.screenshot(path=str(artifacts / "sentence_jupyterlab.png"), full_page=True)
    finally:
        page.close()
