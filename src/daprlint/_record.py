"""A minimal stand-in for `dataclasses.dataclass` on the start-up path.

Importing `dataclasses` pulls in `inspect` and costs ~13 ms, a fifth of the
60 ms budget for linting one file (measured with `python -X importtime`).
This supports exactly what daprlint uses: annotated fields, defaults,
`field(default_factory=...)`, `frozen=True` (immutable and hashable),
`slots=True` and the generated `__init__`, `__repr__` and `__eq__`.

With `slots=True` the class is rebuilt, as `dataclasses` does, with
`__slots__` for its own fields and without class-level defaults (they live in
`__init__`'s defaults), so instances carry no `__dict__`: setting an attribute
that is not a field raises AttributeError. Such a class must not use
zero-argument `super()` or `__class__` in its methods (they would still see
the class before the rebuild), nor `functools.cached_property`.
"""
from __future__ import annotations

_MISSING = object()


class _Field:
    __slots__ = ("default_factory",)

    def __init__(self, default_factory):
        self.default_factory = default_factory


def field(*, default_factory):
    return _Field(default_factory)


def _frozen_setattr(self, name, value):
    raise AttributeError(f"{type(self).__name__} is immutable")


def _frozen_delattr(self, name):
    raise AttributeError(f"{type(self).__name__} is immutable")


def record(cls=None, *, frozen: bool = False, slots: bool = False):
    def wrap(cls):
        names = [n for b in reversed(cls.__mro__[1:]) for n in getattr(b, "__record_fields__", ())]
        own = [n for n in cls.__dict__.get("__annotations__", {}) if n not in names]
        names += own
        defaults = {}
        for n in names:
            value = cls.__dict__.get(n, _MISSING)
            if value is not _MISSING:
                defaults[n] = value
                if not isinstance(value, _Field) and not slots:
                    continue
                delattr(cls, n)  # a slot cannot share its name with a class attribute
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
        namespace = {"__init__": env["__init__"], "__record_fields__": tuple(names)}

        def __repr__(self):
            return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in names)})"

        def __eq__(self, other):
            if other.__class__ is not self.__class__:
                return NotImplemented
            return all(getattr(self, n) == getattr(other, n) for n in names)

        namespace["__repr__"] = __repr__
        namespace["__eq__"] = __eq__
        if frozen:
            namespace["__setattr__"] = _frozen_setattr
            namespace["__delattr__"] = _frozen_delattr
            namespace["__hash__"] = lambda self: hash(tuple(getattr(self, n) for n in names))
            # rebuilt through __init__: unpickling must not go through __setattr__
            namespace["__reduce__"] = lambda self: (type(self), tuple(getattr(self, n) for n in names))
        else:
            namespace["__hash__"] = None
        if not slots:
            for key, value in namespace.items():
                setattr(cls, key, value)
            return cls
        # rebuild the class with __slots__, as dataclasses does (a class's
        # slots are fixed when it is created)
        inherited = {s for b in cls.__mro__[1:] for s in _slot_names(b)}
        attrs = dict(cls.__dict__)
        for key in ("__dict__", "__weakref__"):
            attrs.pop(key, None)
        attrs.update(namespace)
        if not frozen:  # pickled as a call of the class with every field (frozen ones: see above)
            attrs["__reduce__"] = _reduce_to_init(names)
        attrs["__slots__"] = tuple(n for n in own if n not in inherited)
        new = type(cls)(cls.__name__, cls.__bases__, attrs)
        new.__qualname__ = cls.__qualname__
        return new

    return wrap if cls is None else wrap(cls)


def _reduce_to_init(names):
    """`__reduce__` for a slots record: (its class, its fields), read in one C call.

    --jobs workers send every result back pickled. Against the __getstate__ /
    __setstate__ pair that this replaced (a Python list of getattr, then a
    setattr loop), the results of tree-10000-s42 pickled in 0.08 s instead of
    0.11-0.15 s and unpickled in 0.07 s instead of 0.14 s (CPU, best of 7)."""
    from operator import attrgetter

    if not names:
        return lambda self: (type(self), ())
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda self: (type(self), (one(self),))
    fields = attrgetter(*names)
    return lambda self: (type(self), fields(self))


def _slot_names(cls) -> tuple:
    slots = cls.__dict__.get("__slots__", ())
    return (slots,) if isinstance(slots, str) else tuple(slots)
