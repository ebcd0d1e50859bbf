"""Plugins written by a careless or hostile author, generated for the tests (and for trying by hand:
``python tests/hostile_plugins.py DIR`` writes them into DIR).

``DISCOVERY`` cases must be listed as broken with the given words in their reason, without ever
stopping another filter; ``RUNNING`` cases import and list fine but fail when run.
"""

from __future__ import annotations

import hashlib
import os
import sys
import textwrap
from pathlib import Path

_HEADER = 'name = "{id}"\ncategory = "Hostile"\nversion = "1"\n'
_PLAIN_RUN = "def run(ctx, image, mask, params):\n    return image\n"
_ZERO_SHA = "0" * 64


def _manifest(plugin_id: str, body: str = "") -> str:
    return f'id = "{plugin_id}"\n' + _HEADER.format(id=plugin_id) + textwrap.dedent(body)


def _etc_passwd_sha() -> str:
    try:
        return hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()
    except OSError:
        return _ZERO_SHA


#: id → (manifest body after id/name/category/version, filter.py, words expected in the reason)
DISCOVERY: dict[str, tuple[str, str, str]] = {
    "h_dev_zero": (f'[[models]]\nfile = "/dev/zero"\nsha256 = "{_ZERO_SHA}"\n', _PLAIN_RUN, "relative name"),
    "h_fifo_model": (f'[[models]]\nfile = "m.onnx"\nsha256 = "{_ZERO_SHA}"\n', _PLAIN_RUN,
                     "not a regular file"),
    "h_link_device": (f'[[models]]\nfile = "m.onnx"\nsha256 = "{_ZERO_SHA}"\n', _PLAIN_RUN,
                      "outside the plugin's folder"),
    "h_huge_model": (f'[[models]]\nfile = "m.onnx"\nsha256 = "{_ZERO_SHA}"\n', _PLAIN_RUN, "MiB allowed"),
    "h_dotdot_model": (f'[[models]]\nfile = "../../../../etc/passwd"\nsha256 = "{_etc_passwd_sha()}"\n',
                       _PLAIN_RUN, "must not leave"),
    "h_abs_model": (f'[[models]]\nfile = "/etc/passwd"\nsha256 = "{_etc_passwd_sha()}"\n', _PLAIN_RUN,
                    "relative name"),
    "h_models_strings": ('models = ["m.onnx"]\n', _PLAIN_RUN, "array of tables"),
    "h_tiling_string": ('tiling = "big"\n', _PLAIN_RUN, "'tiling' must be a table"),
    "h_tile_inf": ("[tiling]\ntile = inf\n", _PLAIN_RUN, "'tile' must be a whole number"),
    "h_param_nan": ('[[params]]\nname = "x"\ntype = "float"\nmin = nan\n', _PLAIN_RUN, "finite number"),
    "h_module_escape": ('module = "../evil.py"\n', _PLAIN_RUN, "must be a Python file"),
    "h_nested": ("deep = " + "[" * 5000 + "]" * 5000 + "\n", _PLAIN_RUN, "manifest"),
    "h_import_exit": ("", "import sys\nsys.exit(0)\n", "sys.exit(0)"),
    "h_import_interrupt": ("", "raise KeyboardInterrupt\n", "KeyboardInterrupt"),
    "h_import_base": ("", "raise BaseException('odd')\n", "BaseException"),
    "h_import_sleep": ("", "import time\ntime.sleep(3600)\n" + _PLAIN_RUN, "did not finish importing"),
    "h_no_run": ("", "x = 1\n", "defines no run"),
}
#: Cases that need the import time limit to elapse (slow to list; tests shorten the limit).
SLOW_TO_LIST = {"h_import_sleep"}

#: id → (filter.py, words expected in the CLI's error line); each is exit 1 with one line.
RUNNING: dict[str, tuple[str, str]] = {
    "h_run_exit": ("import sys\ndef run(ctx, image, mask, params):\n    sys.exit(0)\n", "sys.exit(0)"),
    "h_run_interrupt": ("def run(ctx, image, mask, params):\n    raise KeyboardInterrupt\n",
                        "KeyboardInterrupt by itself"),
    "h_run_base": ("def run(ctx, image, mask, params):\n    raise BaseException('odd')\n", "BaseException"),
    "h_run_nan": ("import numpy as np\ndef run(ctx, image, mask, params):\n    return image * np.nan\n",
                  "NaN or infinite"),
    "h_run_inf": ("import numpy as np\ndef run(ctx, image, mask, params):\n    return image + np.inf\n",
                  "NaN or infinite"),
    "h_run_str": ("import numpy as np\ndef run(ctx, image, mask, params):\n"
                  "    return np.full(image.shape, 'a')\n", "type <U1"),
    "h_run_complex": ("def run(ctx, image, mask, params):\n    return image.astype(complex)\n",
                      "type complex128"),
    "h_run_object": ("import numpy as np\ndef run(ctx, image, mask, params):\n"
                     "    return image.astype(object)\n", "type object"),
    "h_run_tiled_nan": ("import numpy as np\ndef run(ctx, image, mask, params):\n"
                        "    return ctx.run_tiled(image, lambda t: t * np.nan, to_uint8=True)\n",
                        "NaN or infinite"),
}

#: A filter that never looks at its cancel token: a pure-Python loop, ended only by ``STOP`` (which the
#: tests set when done) or after ``LIMIT_S`` seconds, so no test leaves it spinning for long.
LOOPING = textwrap.dedent('''
    import threading
    import time

    STOP = threading.Event()
    LIMIT_S = 60.0

    def run(ctx, image, mask, params):
        end = time.monotonic() + LIMIT_S
        n = 0
        while not STOP.is_set() and time.monotonic() < end:
            n += 1
        return image
    ''')


def write_plugin(root: Path, plugin_id: str, manifest_body: str, module: str) -> Path:
    folder = root / plugin_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.toml").write_text(_manifest(plugin_id, manifest_body), encoding="utf-8")
    (folder / "filter.py").write_text(module, encoding="utf-8")
    return folder


def write_discovery(root: Path, names: set[str] | None = None) -> dict[str, str]:
    """Write the discovery cases (all, or ``names``) under ``root``; returns id → expected words."""
    chosen = {k: v for k, v in DISCOVERY.items() if names is None or k in names}
    for plugin_id, (body, module, _words) in chosen.items():
        folder = write_plugin(root, plugin_id, body, module)
        model = folder / "m.onnx"
        if plugin_id == "h_fifo_model":
            os.mkfifo(model)
        elif plugin_id == "h_link_device":
            model.symlink_to("/dev/zero")
        elif plugin_id == "h_huge_model":
            with open(model, "wb") as handle:  # sparse: 3 GiB that take no disk space
                handle.truncate(3 << 30)
    return {plugin_id: words for plugin_id, (_b, _m, words) in chosen.items()}


#: Manifest bodies of the running cases that need one (a filter that calls ctx.run_tiled declares tiling).
_RUNNING_BODY = {"h_run_tiled_nan": "[tiling]\ntile = 64\noverlap = 8\n"}


def write_running(root: Path) -> dict[str, str]:
    for plugin_id, (module, _words) in RUNNING.items():
        write_plugin(root, plugin_id, _RUNNING_BODY.get(plugin_id, ""), module)
    return {plugin_id: words for plugin_id, (_m, words) in RUNNING.items()}


def write_looping(root: Path) -> Path:
    return write_plugin(root, "h_loop", "", LOOPING)


def write_all(root: Path) -> None:
    write_discovery(root)
    write_running(root)
    write_looping(root)


if __name__ == "__main__":
    write_all(Path(sys.argv[1]))
    print(f"hostile plugins written to {sys.argv[1]}")
