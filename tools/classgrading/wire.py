"""Plain data across the sandbox boundary, in both directions.

The grader runs test cells in its own process and the student's code in a sandboxed kernel
(:mod:`classgrading.bridge`). Every value that crosses between them is written in this format:
a JSON header that describes the structure, followed by raw byte blocks for arrays.

    b"CGW1" | uint64 big-endian header length | header (UTF-8 JSON) | block 0 | block 1 | ...

Only these are representable: ``None``, ``bool``, ``int``, ``float``, ``complex``, ``str``, ``bytes``,
``list``, ``tuple``, ``dict``, ``set``, ``frozenset``, NumPy arrays of numbers, booleans or strings (and
object arrays of representable values), NumPy scalars, SciPy sparse matrices and arrays, and *handles*
(a number that stands for an object kept on the other side, e.g. a student's function or class
instance). :func:`decode` builds nothing else: it never unpickles, imports or calls anything named in
the data, and it checks every size, so whatever bytes a hostile kernel writes decode to plain data or
raise :class:`WireError`.

This module is also sent, as source, into the student's kernel (which cannot import the grader's
packages); it therefore depends on nothing but the standard library and NumPy (SciPy only if present).
"""

import json
import struct

import numpy as np

MAGIC = b"CGW1"
MAX_DEPTH = 64
MAX_NODES = 2_000_000
MAX_STRING = 10_000_000
MAX_INT_DIGITS = 5_000
ARRAY_KINDS = "biufcUS"          # booleans, integers, floats, complex numbers, str and bytes
SPARSE_FORMATS = ("csr", "csc", "coo")


class WireError(ValueError):
    """The data is not in this format, is too large, or holds something that is not plain data."""


class Handle:
    """Stands for an object kept on the other side (``kind``: "function", "object", "class", "module")."""

    __slots__ = ("id", "kind", "type_name")

    def __init__(self, id, kind, type_name):
        self.id, self.kind, self.type_name = id, kind, type_name

    def __repr__(self):
        return f"Handle({self.id}, {self.kind!r}, {self.type_name!r})"


# ------------------------------------------------------------------------------------------ encoding
class _Encoder:
    def __init__(self, make_handle=None):
        self.blocks = []
        self.make_handle = make_handle
        self.nodes = 0

    def block(self, data):
        self.blocks.append(bytes(data))
        return len(self.blocks) - 1

    def array(self, arr):
        if arr.dtype.kind == "O":
            return {"t": "objarray", "shape": list(arr.shape),
                    "items": [self.node(x, 1) for x in arr.ravel(order="C").tolist()]}
        if arr.dtype.kind not in ARRAY_KINDS or arr.dtype.fields is not None or arr.dtype.subdtype is not None:
            raise WireError(f"an array of dtype {arr.dtype} cannot be sent")
        order = "F" if (arr.ndim > 1 and arr.flags.f_contiguous and not arr.flags.c_contiguous) else "C"
        data = np.asarray(arr).tobytes(order=order)
        return {"t": "ndarray", "dtype": arr.dtype.str, "shape": list(arr.shape), "order": order,
                "b": self.block(data)}

    def node(self, x, depth=0):
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise WireError("the value is nested too deeply or holds too many items")
        kind = type(x)
        if x is None:
            return {"t": "none"}
        if kind is bool:
            return {"t": "bool", "v": x}
        if kind is int:
            return {"t": "int", "v": str(x)}
        if kind is float:
            return {"t": "float", "v": x.hex()}
        if kind is complex:
            return {"t": "complex", "re": x.real.hex(), "im": x.imag.hex()}
        if kind is str:
            return {"t": "str", "v": x}
        if kind is bytes:
            return {"t": "bytes", "b": self.block(x)}
        if kind in (list, tuple, set, frozenset):
            items = sorted(x, key=repr) if kind in (set, frozenset) else x
            return {"t": kind.__name__, "items": [self.node(v, depth + 1) for v in items]}
        if kind is dict:
            return {"t": "dict", "items": [[self.node(k, depth + 1), self.node(v, depth + 1)] for k, v in x.items()]}
        if kind is np.ndarray:
            return self.array(x)
        if isinstance(x, np.generic) and type(x).__module__ == "numpy":
            if x.dtype.kind not in ARRAY_KINDS:
                raise WireError(f"a NumPy scalar of dtype {x.dtype} cannot be sent")
            return {"t": "npscalar", "dtype": x.dtype.str, "b": self.block(np.asarray(x).tobytes())}
        sparse = _sparse_parts(x)
        if sparse is not None:
            fmt, container, shape, parts = sparse
            return {"t": "sparse", "format": fmt, "container": container, "shape": list(shape),
                    "parts": {name: self.array(np.ascontiguousarray(a)) for name, a in parts.items()}}
        if isinstance(x, np.ndarray):               # a subclass (np.matrix, a masked array): its plain data
            return self.array(np.asarray(x))
        if self.make_handle is not None:
            return self.make_handle(x)
        raise WireError(f"a {type(x).__name__} cannot be sent (only plain data)")


def _sparse_parts(x):
    module = type(x).__module__ or ""
    if not module.startswith("scipy.sparse"):
        return None
    import scipy.sparse as sp

    if not sp.issparse(x):
        return None
    container = "array" if isinstance(x, getattr(sp, "sparray", ())) else "matrix"
    fmt = x.format if x.format in SPARSE_FORMATS else "csr"
    y = x.asformat(fmt)
    if fmt == "coo":
        parts = {"data": y.data, "row": y.row if hasattr(y, "row") else y.coords[0],
                 "col": y.col if hasattr(y, "col") else y.coords[1]}
    else:
        parts = {"data": y.data, "indices": y.indices, "indptr": y.indptr}
    return fmt, container, y.shape, parts


def encode(value, make_handle=None):
    """``value`` as bytes in this format. ``make_handle(x)`` turns an object that is not plain data into a
    handle node (``{"t": "handle", ...}``); without it such an object raises :class:`WireError`."""
    encoder = _Encoder(make_handle)
    header = json.dumps({"root": encoder.node(value), "blocks": [len(b) for b in encoder.blocks]},
                        separators=(",", ":"), allow_nan=False).encode()
    return b"".join([MAGIC, struct.pack(">Q", len(header)), header, *encoder.blocks])


# ------------------------------------------------------------------------------------------ decoding
def _need(condition, what):
    if not condition:
        raise WireError(what)


class _Decoder:
    def __init__(self, data, header, offsets, handle_factory, texts):
        self.data, self.offsets, self.handle_factory, self.texts = data, offsets, handle_factory, texts
        self.lengths = header["blocks"]
        self.nodes = 0

    def block(self, index):
        _need(type(index) is int and 0 <= index < len(self.offsets), "a block index is out of range")
        start = self.offsets[index]
        return self.data[start:start + self.lengths[index]]

    def text(self, value):
        _need(type(value) is str and len(value) <= MAX_STRING, "a string is missing or too long")
        if self.texts is not None and len(value) >= 3:
            self.texts.append(value)
        return value

    def shape(self, shape):
        _need(type(shape) is list and len(shape) <= 64 and all(type(n) is int and 0 <= n for n in shape),
              "an array shape is not a list of sizes")
        return tuple(shape)

    def dtype(self, text):
        _need(type(text) is str and len(text) <= 16, "a dtype is not a short string")
        try:
            dtype = np.dtype(text)
        except TypeError as error:
            raise WireError(f"unknown dtype {text!r}") from error
        _need(dtype.kind in ARRAY_KINDS and dtype.fields is None and dtype.subdtype is None,
              f"dtype {text!r} is not plain data")
        return dtype

    def array(self, node):
        _need(type(node) is dict and node.get("t") == "ndarray", "an array part is missing")
        dtype, shape = self.dtype(node.get("dtype")), self.shape(node.get("shape"))
        _need(node.get("order") in ("C", "F"), "an array order is not C or F")
        raw = self.block(node.get("b"))
        count = int(np.prod(shape, dtype=object)) if shape else 1
        _need(count * dtype.itemsize == len(raw), "an array's data does not match its shape and dtype")
        return np.frombuffer(raw, dtype=dtype).reshape(shape, order=node["order"]).copy(order="K")

    def node(self, node, depth=0):
        self.nodes += 1
        _need(depth <= MAX_DEPTH and self.nodes <= MAX_NODES, "the value is nested too deeply or too large")
        _need(type(node) is dict and type(node.get("t")) is str, "a value is not described")
        t = node["t"]
        if t == "none":
            return None
        if t == "bool":
            _need(type(node.get("v")) is bool, "a bool is not a bool")
            return node["v"]
        if t == "int":
            text = node.get("v")
            _need(type(text) is str and 0 < len(text) <= MAX_INT_DIGITS and text.lstrip("-").isdigit()
                  and text.isascii(), "an int is not written in decimal digits")
            return int(text)
        if t == "float":
            return self.float(node.get("v"))
        if t == "complex":
            return complex(self.float(node.get("re")), self.float(node.get("im")))
        if t == "str":
            return self.text(node.get("v"))
        if t == "bytes":
            return bytes(self.block(node.get("b")))
        if t in ("list", "tuple", "set", "frozenset"):
            items = node.get("items")
            _need(type(items) is list, f"a {t} has no items")
            values = [self.node(item, depth + 1) for item in items]
            return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[t](values)
        if t == "dict":
            items = node.get("items")
            _need(type(items) is list and all(type(p) is list and len(p) == 2 for p in items), "a dict is malformed")
            return {self.node(k, depth + 1): self.node(v, depth + 1) for k, v in items}
        if t == "ndarray":
            return self.array(node)
        if t == "objarray":
            shape, items = self.shape(node.get("shape")), node.get("items")
            _need(type(items) is list and len(items) == (int(np.prod(shape, dtype=object)) if shape else 1),
                  "an object array is malformed")
            out = np.empty(len(items), dtype=object)
            for i, item in enumerate(items):
                out[i] = self.node(item, depth + 1)
            return out.reshape(shape)
        if t == "npscalar":
            dtype = self.dtype(node.get("dtype"))
            raw = self.block(node.get("b"))
            _need(len(raw) == dtype.itemsize, "a NumPy scalar's data does not match its dtype")
            return np.frombuffer(raw, dtype=dtype)[0].copy()
        if t == "sparse":
            return self.sparse(node)
        if t == "handle":
            _need(self.handle_factory is not None, "a handle where only plain data is allowed")
            ident, kind, name = node.get("id"), node.get("kind"), node.get("type")
            _need(type(ident) is int and kind in ("function", "object", "class", "module") and type(name) is str
                  and len(name) <= 200, "a handle is malformed")
            return self.handle_factory(Handle(ident, kind, self.text(name)))
        raise WireError(f"unknown kind of value {t[:40]!r}")

    def float(self, text):
        _need(type(text) is str and len(text) <= 40 and text.isascii(), "a float is not written as hex")
        try:
            return float.fromhex(text)
        except ValueError as error:
            raise WireError("a float is not written as hex") from error

    def sparse(self, node):
        import scipy.sparse as sp

        fmt, container, shape, parts = node.get("format"), node.get("container"), node.get("shape"), node.get("parts")
        _need(fmt in SPARSE_FORMATS and container in ("matrix", "array") and type(parts) is dict,
              "a sparse matrix is malformed")
        shape = self.shape(shape)
        _need(len(shape) == 2, "a sparse matrix is not 2-D")
        names = ("data", "row", "col") if fmt == "coo" else ("data", "indices", "indptr")
        _need(set(parts) == set(names), "a sparse matrix has the wrong parts")
        arrays = {name: self.array(parts[name]) for name in names}
        kind = getattr(sp, f"{fmt}_{container}")
        try:
            if fmt == "coo":
                built = kind((arrays["data"], (arrays["row"], arrays["col"])), shape=shape)
            else:
                built = kind((arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape)
            built.check_format() if hasattr(built, "check_format") else None
        except (ValueError, TypeError, IndexError) as error:
            raise WireError(f"a sparse matrix is inconsistent: {error}") from error
        return built


def decode(data, handle_factory=None, max_bytes=1 << 30, texts=None):
    """The value that :func:`encode` wrote into ``data`` (bytes). Handles become ``handle_factory(Handle)``
    (without a factory a handle is an error). Every string of 3 or more characters that the data holds is
    appended to ``texts`` (a list), so that a caller can keep them out of messages."""
    data = memoryview(bytes(data)) if not isinstance(data, (bytes, bytearray)) else memoryview(data)
    _need(len(data) <= max_bytes, f"more than {max_bytes} bytes")
    _need(len(data) >= 12 and bytes(data[:4]) == MAGIC, "not data in the grader's format")
    (length,) = struct.unpack(">Q", bytes(data[4:12]))
    _need(length <= min(len(data) - 12, 64 * 2**20), "the header length is wrong")
    try:
        header = json.loads(bytes(data[12:12 + length]).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise WireError("the header is not JSON") from error
    _need(type(header) is dict and type(header.get("blocks")) is list and "root" in header, "the header is malformed")
    lengths = header["blocks"]
    _need(all(type(n) is int and n >= 0 for n in lengths), "a block length is not a size")
    offsets, position = [], 12 + length
    for n in lengths:
        offsets.append(position)
        position += n
    _need(position == len(data), "the blocks do not add up to the data's length")
    try:
        return _Decoder(data, header, offsets, handle_factory, texts).node(header["root"])
    except RecursionError as error:
        raise WireError("the value is nested too deeply") from error
