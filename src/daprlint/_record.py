"""A minimal stand-in for `dataclasses.dataclass` on the start-up path.

Importing `dataclasses` pulls in `inspect` and costs ~13 ms, a fifth of the
60 ms budget for linting one file (measured with `python -X importtime`).
This supports exactly what daprlint uses: annotated fields, defaults,
`field(default_factory=...)`, `frozen=True` (immutable and hashable) and the
generated `__init__`, `__repr__` and `__eq__`. `slots=` is accepted and
ignored.
"""
from __future__ import annotations

_MISSING = object()


class _Field:
    __slots__ = ("default_factory",)

    def __init__(self, default_factory):
        self.default_factory = default_factory


def field(*, default_factory):
    return _Field(default_factory)


def record(cls=None, *, frozen: bool = False, slots: bool = False):
    def wrap(cls):
        names = [n for b in reversed(cls.__mro__[1:]) for n in getattr(b, "__record_fields__", ())]
        names += [n for n in cls.__dict__.get("__annotations__", {}) if n not in names]
        defaults = {}
        for n in names:
            value = cls.__dict__.get(n, _MISSING)
            if value is not _MISSING:
                defaults[n] = value
                if not isinstance(value, _Field):
                    continue
                delattr(cls, n)
        params, body, env = [], [], {"_setattr": object.__setattr__}
        for n in names:
            d = defaults.get(n, _MISSING)
            if d is _MISSING:
                params.append(n)
                value = n
            elif isinstance(d, _Field):
                env[f"_f_{n}"] = d.default_factory
                params.append(f"{n}=None")
                value = f"_f_{n}() if {n} is None else {n}"
            else:
                env[f"_d_{n}"] = d
                params.append(f"{n}=_d_{n}")
                value = n
            body.append(f"  _setattr(self, {n!r}, {value})" if frozen else f"  self.{n} = {value}")
        src = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "  pass")
        exec(src, env)
        cls.__init__ = env["__init__"]
        cls.__record_fields__ = tuple(names)

        def __repr__(self):
            return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in names)})"

        def __eq__(self, other):
            if other.__class__ is not self.__class__:
                return NotImplemented
            return all(getattr(self, n) == getattr(other, n) for n in names)

        cls.__repr__ = __repr__
        cls.__eq__ = __eq__
        if frozen:
            def __setattr__(self, name, value):
                raise AttributeError(f"{type(self).__name__} is immutable")

            cls.__setattr__ = __setattr__
            cls.__hash__ = lambda self: hash(tuple(getattr(self, n) for n in names))
            cls.__reduce__ = lambda self: (cls, tuple(getattr(self, n) for n in names))
        else:
            cls.__hash__ = None
        return cls

    return wrap if cls is None else wrap(cls)
